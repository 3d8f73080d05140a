"""Fixtures for the LDAP tests: a real slapd with Toolforge-shaped data."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from bot.config import LdapSettings
from tests.ldap.seed import ToolforgeData, toolforge_data
from tests.ldap.server import PROXY_DN, PROXY_PASSWORD, SlapdServer, missing_binaries
from tests.support import require_programs


@contextlib.contextmanager
def running_slapd(data: ToolforgeData) -> Iterator[SlapdServer]:
    """A slapd seeded with ``data`` on a loopback port, removed on exit."""
    require_programs(missing_binaries(), "the LDAP tests (a real OpenLDAP server)")
    server = SlapdServer(data.ldif()).start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def ldap_data() -> ToolforgeData:
    return toolforge_data(tools=600)


@pytest.fixture(scope="session")
def slapd(ldap_data: ToolforgeData) -> Iterator[SlapdServer]:
    """One slapd for every test that only reads; tests that stop it start their own."""
    with running_slapd(ldap_data) as server:
        yield server


@pytest.fixture
def own_slapd(ldap_data: ToolforgeData) -> Iterator[SlapdServer]:
    """A slapd this test may stop, freeze and restart."""
    with running_slapd(ldap_data) as server:
        yield server


def ldap_settings(server: SlapdServer, **changes: object) -> LdapSettings:
    """forgebot's [ldap] table for ``server``: the proxy agent's bind, short timeouts."""
    base = LdapSettings(
        uris=(server.uri,),
        bind_dn=PROXY_DN,
        bind_password=PROXY_PASSWORD,
        timeout=2.0,
    )
    return base.replace(**changes)
