"""TLS to the server, verified against its CA, and SASL EXTERNAL with a client certificate."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.irc import IrcConfig
from bot.message import Message
from bot.reply import Reply
from tests.fakes.core import TestCore
from tests.irc.conftest import bot_config, running
from tests.irc.network import IrcNetwork
from tests.support import wait_until

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]


class Silent(TestCore):
    async def handle(self, message: Message) -> Reply | None:
        return None


def tls_config(network: IrcNetwork, **changes: Any) -> IrcConfig:
    cert = network.client_certs["certbot"]
    assert network.server_cert is not None
    settings: dict[str, Any] = {
        "port": network.tls_port,
        "tls": True,
        "tls_ca_file": str(network.server_cert.cert),
        "tls_certfile": str(cert.cert),
        "tls_keyfile": str(cert.key),
        "nick": "certbot",
        "sasl_mechanism": "EXTERNAL",
        "password": "",
    }
    return bot_config(network, **{**settings, **changes})


async def test_sasl_external_over_verified_tls(irc_network: IrcNetwork) -> None:
    async with running(tls_config(irc_network), Silent()) as bot:
        assert bot.session is not None
        assert bot.session.account == "certbot"  # proven by the certificate alone


async def test_a_server_certificate_from_an_unknown_ca_is_refused(
    irc_network: IrcNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    config = tls_config(irc_network, tls_ca_file=None, nick="untrusting")
    async with running(config, Silent(), wait=False) as bot:
        await wait_until(lambda: "CERTIFICATE_VERIFY_FAILED" in caplog.text, "the refusal")
        assert bot.registrations == 0
