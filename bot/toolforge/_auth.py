"""How forgebot proves who it is to the Toolforge API gateway."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ToolforgeAuth:
    """Credentials for one identity at the gateway.

    ``cert_file``/``key_file``: a client certificate (mTLS), as the real
    gateway requires: forgebot's own service certificate in platform mode, a
    tool's ``~/.toolskube/client.crt|key`` in self-hosted mode.
    ``token``: sent as ``Authorization: Bearer ...`` where a deployment uses
    one. ``verify``: verify the server (``True``), don't (``False``, as weld
    does without a CA), or the path of a CA bundle.
    """

    cert_file: str | None = None
    key_file: str | None = None
    token: str | None = field(default=None, repr=False)
    verify: bool | str = True

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def ssl_context(self) -> ssl.SSLContext | bool:
        """The HTTP client's ``ssl`` setting (a context whenever a CA or cert is involved).

        Raises ``OSError``/``ssl.SSLError`` when the certificate files cannot be read.
        """
        if isinstance(self.verify, str):
            context = ssl.create_default_context(cafile=self.verify)
        elif self.cert_file is None:
            return self.verify
        else:
            context = ssl.create_default_context()
            if not self.verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        if self.cert_file is not None:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in an error sentence."""
        return (self.token,) if self.token else ()
