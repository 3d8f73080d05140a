"""The maintainer directory read from a real slapd in Toolforge's shape."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.directory import require_tool
from bot.errors import DirectoryUnavailable, UnknownTool
from bot.ldap_directory import LdapDirectory
from tests.irc.certs import make_certificate
from tests.ldap.conftest import ldap_settings
from tests.ldap.seed import ToolforgeData
from tests.ldap.server import SlapdServer, missing_binaries
from tests.support import require_programs


class Clock:
    """A monotonic clock the test moves by hand (for TTLs of minutes)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def directory(slapd: SlapdServer) -> AsyncIterator[LdapDirectory]:
    found = LdapDirectory(ldap_settings(slapd))
    yield found
    await found.aclose()


async def test_maintainers_are_the_enabled_members_of_the_tool_group(
    directory: LdapDirectory, ldap_data: ToolforgeData
) -> None:
    for tool in ("tool-000", "tool-123", "tool-599", "sample-web"):
        assert await directory.maintainers(tool) == ldap_data.maintainers(tool)
    # mallory is locked, oldtimer is under the "disabled" policy: neither maintains anything.
    assert await directory.maintainers("shared-tool") == {"alice", "zoe"}
    assert await directory.tools_of("mallory") == []
    assert await directory.tools_of("oldtimer") == []


async def test_a_tool_nobody_maintains_exists_with_no_maintainers(
    directory: LdapDirectory,
) -> None:
    assert await directory.maintainers("orphan") == frozenset()
    assert "orphan" in await directory.tool_names()


async def test_a_very_large_group_and_a_tool_account_among_members(
    directory: LdapDirectory, ldap_data: ToolforgeData
) -> None:
    huge = await directory.maintainers("huge")
    assert len(huge) == 2000 and huge == ldap_data.maintainers("huge")
    # A tool's own account is a member of "parent", but it is no developer.
    assert await directory.maintainers("parent") == {"bob"}


async def test_an_unknown_tool_is_unknown_with_a_near_name(directory: LdapDirectory) -> None:
    with pytest.raises(UnknownTool) as raised:
        await require_tool(directory, "sample-wep")
    assert str(raised.value) == "there is no tool named 'sample-wep'; did you mean sample-web?"


async def test_every_tool_is_listed_through_paged_searches(
    directory: LdapDirectory, ldap_data: ToolforgeData
) -> None:
    assert await directory.tool_names() == sorted(ldap_data.tools)


async def test_the_tools_of_an_account(directory: LdapDirectory, ldap_data: ToolforgeData) -> None:
    for uid in ("dev0000", "dev0007", "dev1999", "alice", "zoe"):
        assert await directory.tools_of(uid) == ldap_data.tools_of(uid)
    assert len(await directory.tools_of("dev0003")) > 2  # a shared maintainer
    assert await directory.tools_of("nobody-at-all") == []


async def test_accounts_with_non_ascii_names_and_disabled_ones(directory: LdapDirectory) -> None:
    zoe = await directory.account("zoe")
    assert zoe is not None and zoe.display == "Zoë Ünïcode-Łukasz 李雷" and not zoe.disabled
    by_name = await directory.account("Zoë Ünïcode-Łukasz 李雷", by="cn")
    assert by_name is not None and by_name.name == "zoe"
    for uid in ("mallory", "oldtimer"):
        account = await directory.account(uid)
        assert account is not None and account.disabled
    assert await directory.account("nobody-at-all") is None
    assert await directory.account("*") is None  # a filter character is a name, not a wildcard


async def test_an_email_names_one_enabled_account_or_none(directory: LdapDirectory) -> None:
    assert await directory.account_for_email("Alice@Example.org") == "alice"
    assert await directory.account_for_email("twins@example.org") is None  # two accounts
    assert await directory.account_for_email("mallory@example.org") is None  # locked
    assert await directory.account_for_email("nobody@example.org") is None


async def test_admins_are_the_enabled_members_of_tools_admin(directory: LdapDirectory) -> None:
    assert await directory.admins() == {"root-sre"}


async def test_cached_answers_last_their_ttl_and_never_longer(own_slapd: SlapdServer) -> None:
    clock = Clock()
    directory = LdapDirectory(
        ldap_settings(own_slapd, cache_seconds=300, negative_cache_seconds=60), clock=clock
    )
    try:
        assert await directory.maintainers("sample-web") == {"alice", "carol"}
        with pytest.raises(UnknownTool):
            await directory.maintainers("no-such-tool")
        own_slapd.stop()
        clock.now += 59
        # Within their TTLs both answers stand, with LDAP gone.
        assert await directory.maintainers("sample-web") == {"alice", "carol"}
        with pytest.raises(UnknownTool):
            await directory.maintainers("no-such-tool")
        clock.now += 2
        # "No such tool" has expired: now nothing can be said about it.
        with pytest.raises(DirectoryUnavailable):
            await directory.maintainers("no-such-tool")
        clock.now += 240
        with pytest.raises(DirectoryUnavailable) as raised:
            await directory.maintainers("sample-web")
        assert str(raised.value).startswith("I cannot check maintainers right now")
        own_slapd.start()
        assert await directory.maintainers("sample-web") == {"alice", "carol"}
    finally:
        await directory.aclose()


async def test_ldap_down_is_unavailable_never_unknown(own_slapd: SlapdServer) -> None:
    own_slapd.stop()
    directory = LdapDirectory(ldap_settings(own_slapd))
    try:
        with pytest.raises(DirectoryUnavailable) as raised:
            await require_tool(directory, "sample-web")
        assert "cannot be reached" in str(raised.value)
        with pytest.raises(DirectoryUnavailable):
            await directory.account("alice")
    finally:
        await directory.aclose()


async def test_a_frozen_server_costs_a_bounded_wait(own_slapd: SlapdServer) -> None:
    directory = LdapDirectory(ldap_settings(own_slapd, timeout=1.0))
    try:
        assert await directory.maintainers("sample-web")  # connected before it freezes
        own_slapd.pause()
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(DirectoryUnavailable):
            await directory.maintainers("sample-cron")
        assert loop.time() - started < 15
        own_slapd.resume()
        assert await directory.maintainers("sample-cron") == {"bob"}
    finally:
        own_slapd.resume()
        await directory.aclose()


async def test_a_wrong_bind_password_is_unavailable(slapd: SlapdServer) -> None:
    directory = LdapDirectory(ldap_settings(slapd, bind_password="wrong"))
    try:
        with pytest.raises(DirectoryUnavailable):
            await directory.maintainers("sample-web")
    finally:
        await directory.aclose()


async def test_an_anonymous_bind_that_may_not_read_is_not_no_such_tool(
    slapd: SlapdServer,
) -> None:
    directory = LdapDirectory(ldap_settings(slapd, bind_dn="", bind_password=""))
    try:
        with pytest.raises(DirectoryUnavailable):
            await directory.maintainers("sample-web")
    finally:
        await directory.aclose()


async def test_ldaps_and_start_tls_verify_the_server_against_the_configured_ca(
    ldap_data: ToolforgeData, tmp_path: Path
) -> None:
    require_programs(missing_binaries(), "the LDAP tests (a real OpenLDAP server)")
    cert = make_certificate(tmp_path, "ldap", server=True)
    server = SlapdServer(ldap_data.ldif(), tls=(cert.cert, cert.key)).start()
    try:
        for settings in (
            ldap_settings(server, uris=(server.tls_uri,), ca_file=str(cert.cert)),
            ldap_settings(server, start_tls=True, ca_file=str(cert.cert)),
        ):
            directory = LdapDirectory(settings)
            try:
                assert await directory.maintainers("sample-web") == {"alice", "carol"}
            finally:
                await directory.aclose()
        # Not signed by a CA it trusts: no answer, and no "no such tool" either.
        untrusted = LdapDirectory(ldap_settings(server, uris=(server.tls_uri,)))
        try:
            with pytest.raises(DirectoryUnavailable):
                await untrusted.maintainers("sample-web")
        finally:
            await untrusted.aclose()
    finally:
        server.remove()
