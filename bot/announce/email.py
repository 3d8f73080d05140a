"""Mail for maintainers with no chat link, through an SMTP server (Toolforge's relay).

The standard library's ``smtplib`` in worker threads: a few messages a
second at most is all a fan-out needs, and no async SMTP client is worth a
dependency for that. Connections are kept open between messages (a small
pool) and opened again when the server dropped them. Failures are reported
as :class:`bot.adapter.SendFailed`: a 5xx refusal (an address the server
will never take) is permanent, anything else may pass on a retry.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.adapter import SendFailed


class EmailSender:
    """Sends one plain-text mail per call; ``platform`` is ``email`` in the outbox."""

    platform = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        timeout: float = 30.0,
        connections: int = 4,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.timeout = starttls, timeout
        self._idle: list[smtplib.SMTP] = []
        self._slots = asyncio.Semaphore(connections)
        self.ready = asyncio.Event()
        self.ready.set()  # an SMTP server is asked at each send; it has no connection to wait for

    async def send(self, address: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a bot
        message.set_content(text)
        async with self._slots:
            reused = self._idle.pop() if self._idle else None
            kept, failure = await asyncio.to_thread(self._send, reused, message, address)
            if kept is not None:
                self._idle.append(kept)
            if failure is not None:
                raise failure

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            connection.starttls(context=ssl.create_default_context())
        return connection

    def _send(
        self, reused: smtplib.SMTP | None, message: EmailMessage, address: str
    ) -> tuple[smtplib.SMTP | None, SendFailed | None]:
        """Send (on ``reused``, or a new connection if it was dropped meanwhile):
        the connection to keep, and the failure to report."""
        connection = reused
        try:
            try:
                if connection is None:
                    connection = self._connect()
                connection.send_message(message, to_addrs=[address])
            except smtplib.SMTPServerDisconnected:
                if reused is None:
                    raise
                connection = self._connect()  # the server closed an idle connection
                connection.send_message(message, to_addrs=[address])
            return connection, None
        except smtplib.SMTPRecipientsRefused as refused:
            code, why = refused.recipients.get(address, (550, b"refused"))
            return connection, SendFailed(_sentence(address, code, why), permanent=code >= 500)
        except smtplib.SMTPResponseException as error:
            _close(connection)
            code = error.smtp_code
            return None, SendFailed(
                _sentence(address, code, error.smtp_error), permanent=code >= 500
            )
        except (smtplib.SMTPException, OSError) as error:
            _close(connection)
            return None, SendFailed(f"the mail server {self.host}:{self.port}: {error}")

    def close(self) -> None:
        while self._idle:
            _close(self._idle.pop())


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _sentence(address: str, code: int, why: bytes | str) -> str:
    text = why.decode(errors="replace") if isinstance(why, bytes) else why
    return f"the mail server refused {address}: {code} {text}"
