"""The maintainer directory from the Wikimedia developer LDAP (production).

Shape of the tree (see shared/reference/directory.md):

- a tool ``foo`` is ``cn=tools.foo,ou=servicegroups,<base>``, whose ``member``
  values are ``uid=<shell name>,ou=people,<base>``;
- a developer account is ``uid=<shell name>,ou=people,<base>`` with ``cn``
  (the developer account name) and ``mail``; it is disabled when it carries
  ``pwdAccountLockedTime`` or the ``cn=disabled,ou=ppolicies,<base>`` policy;
- Toolforge admins are the members of ``cn=tools.admin``.

ldap3 is synchronous, so every query runs on a small pool of worker threads,
each with its own connection, and is bounded in time (connect, receive and
the server's own time limit, and an overall deadline on top). Answers are
cached for ``cache_seconds`` and "no such thing" for ``negative_cache_seconds``;
when LDAP cannot be asked and the cached answer is older than that, the
caller gets :class:`DirectoryUnavailable`, never a stale grant and never "no
such tool".
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from bot.config import LdapSettings
from bot.directory import Account, AccountAttribute
from bot.errors import DirectoryUnavailable, UnknownTool
from bot.text import quote_user
from bot.ttl_cache import TtlCache

log = logging.getLogger(__name__)
T = TypeVar("T")

ACCOUNT_ATTRIBUTES = ["uid", "cn", "mail", "pwdAccountLockedTime", "pwdPolicySubentry"]
_PAGE = 500

Query = Callable[[ldap3.Connection], T]


class LdapDirectory:
    """A :class:`bot.directory.MaintainerDirectory` answering from LDAP, cached."""

    def __init__(self, settings: LdapSettings, *, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        base = settings.base_dn
        self.people_base = f"ou=people,{base}"
        self.groups_base = f"ou=servicegroups,{base}"
        self.disabled_policy = f"cn=disabled,ou=ppolicies,{base}"
        ttl, negative = settings.cache_seconds, settings.negative_cache_seconds
        self._groups: TtlCache[str, frozenset[str]] = TtlCache(ttl, negative, clock=clock)
        self._accounts: TtlCache[tuple[str, str], Account] = TtlCache(ttl, negative, clock=clock)
        self._emails: TtlCache[str, str] = TtlCache(ttl, negative, clock=clock)
        self._tools_of: TtlCache[str, tuple[str, ...]] = TtlCache(ttl, negative, clock=clock)
        self._names: TtlCache[str, tuple[str, ...]] = TtlCache(ttl, negative, clock=clock)
        self._disabled: TtlCache[str, frozenset[str]] = TtlCache(ttl, negative, clock=clock)
        self._people_suffix = "," + self.people_base.lower()
        self._local = threading.local()
        self._opened: list[ldap3.Connection] = []
        self._opened_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(settings.connections, thread_name_prefix="ldap")

    async def aclose(self) -> None:
        await asyncio.to_thread(self._pool.shutdown, True, cancel_futures=True)
        with self._opened_lock:
            for connection in self._opened:
                _unbind(connection)
            self._opened.clear()

    # --- the directory interface ------------------------------------------------

    async def maintainers(self, tool: str) -> frozenset[str]:
        members = await self._groups.get(tool, lambda: self._fetch_group(tool))
        if members is None:
            raise UnknownTool(f"there is no tool named {quote_user(tool)}")
        disabled = await self._disabled.get("", self._fetch_disabled)
        return members - (disabled or frozenset())

    async def tool_names(self) -> list[str]:
        names = await self._names.get("", self._fetch_tool_names)
        return list(names or ())

    async def tools_of(self, account: str) -> list[str]:
        found = await self.account(account)
        if found is None or found.disabled:
            return []
        tools = await self._tools_of.get(account, lambda: self._fetch_tools_of(account))
        return list(tools or ())

    async def account_for_email(self, email: str) -> str | None:
        return await self._emails.get(email.lower(), lambda: self._fetch_email(email))

    async def account(self, value: str, by: AccountAttribute = "uid") -> Account | None:
        return await self._accounts.get((by, value), lambda: self._fetch_account(value, by))

    async def admins(self) -> frozenset[str]:
        if not self.settings.admin_tool:
            return frozenset()
        try:
            return await self.maintainers(self.settings.admin_tool)
        except UnknownTool:
            return frozenset()

    # --- queries --------------------------------------------------------------------

    async def _fetch_group(self, tool: str) -> frozenset[str] | None:
        """The developer accounts among the members of the tool's group (disabled ones too)."""

        def query(conn: ldap3.Connection) -> frozenset[str] | None:
            entries = self._search(
                conn,
                self.groups_base,
                f"(cn={escape_filter_chars(self.settings.tool_prefix + tool)})",
                ["member"],
                scope=ldap3.LEVEL,
            )
            if not entries:
                return None
            return frozenset(
                uid
                for entry in entries
                for dn in _values(entry, "member")
                if (uid := self._uid_of(dn)) is not None
            )

        return await self._run(f"the maintainers of {tool}", query)

    async def _fetch_disabled(self) -> frozenset[str]:
        """Every disabled developer account: one paged search, cached like the groups, so a
        tool's maintainers cost one search however large its group is."""
        policy = escape_filter_chars(self.disabled_policy)

        def query(conn: ldap3.Connection) -> frozenset[str]:
            entries = self._search(
                conn,
                self.people_base,
                f"(|(pwdAccountLockedTime=*)(pwdPolicySubentry={policy}))",
                ["uid"],
                paged=True,
            )
            return frozenset(uid for entry in entries for uid in _values(entry, "uid"))

        return await self._run("the disabled accounts", query)

    async def _fetch_tool_names(self) -> tuple[str, ...]:
        prefix = escape_filter_chars(self.settings.tool_prefix)
        return await self._run("the list of tools", self._tool_groups(f"(cn={prefix}*)"))

    async def _fetch_tools_of(self, account: str) -> tuple[str, ...]:
        prefix = escape_filter_chars(self.settings.tool_prefix)
        member = escape_filter_chars(f"uid={account},{self.people_base}")
        search = self._tool_groups(f"(&(cn={prefix}*)(member={member}))")
        return await self._run(f"the tools of {account}", search)

    def _tool_groups(self, search_filter: str) -> Query[tuple[str, ...]]:
        """A query for the names of the tools whose groups match ``search_filter``."""
        prefix = self.settings.tool_prefix

        def query(conn: ldap3.Connection) -> tuple[str, ...]:
            entries = self._search(
                conn, self.groups_base, search_filter, ["cn"], scope=ldap3.LEVEL, paged=True
            )
            names = {
                cn.removeprefix(prefix)
                for entry in entries
                for cn in _values(entry, "cn")
                if cn.startswith(prefix)
            }
            return tuple(sorted(names))

        return query

    async def _fetch_account(self, value: str, by: str) -> Account | None:
        def query(conn: ldap3.Connection) -> Account | None:
            entries = self._search(
                conn, self.people_base, f"({by}={escape_filter_chars(value)})", ACCOUNT_ATTRIBUTES
            )
            found = [self._account_of(entry) for entry in entries]
            return found[0] if len(found) == 1 else None

        return await self._run(f"the account {value}", query)

    async def _fetch_email(self, email: str) -> str | None:
        def query(conn: ldap3.Connection) -> str | None:
            entries = self._search(
                conn, self.people_base, f"(mail={escape_filter_chars(email)})", ACCOUNT_ATTRIBUTES
            )
            found = [self._account_of(entry) for entry in entries]
            # Two accounts sharing an address prove nothing about either.
            if len(found) != 1 or found[0].disabled:
                return None
            return found[0].name

        return await self._run("an account by email", query)

    def _account_of(self, entry: dict[str, Any]) -> Account:
        policy = [str(p).lower() for p in _values(entry, "pwdPolicySubentry")]
        mail = _values(entry, "mail")
        return Account(
            name=_values(entry, "uid")[0],
            display=(_values(entry, "cn") or [""])[0],
            email=mail[0] if mail else None,
            disabled=bool(_values(entry, "pwdAccountLockedTime"))
            or self.disabled_policy.lower() in policy,
        )

    def _uid_of(self, dn: str) -> str | None:
        """The shell name of a developer DN; ``None`` for anything else (a tool account)."""
        head, sep, rest = dn.partition(",")
        if sep and head[:4].lower() == "uid=" and "\\" not in head and "+" not in head:
            # The plain form every member value has: no parsing needed (large groups).
            plain = "," + rest.replace(", ", ",").lower()
            return head[4:] if plain == self._people_suffix else None
        try:
            parts = parse_dn(dn, escape=False, strip=True)
        except LDAPException:
            return None
        if not parts or parts[0][0].lower() != "uid":
            return None
        rest = ",".join(f"{attr}={value}" for attr, value, _ in parts[1:])
        return parts[0][1] if rest.lower() == self.people_base.lower().replace(" ", "") else None

    # --- plumbing ---------------------------------------------------------------------

    def _search(
        self,
        conn: ldap3.Connection,
        base: str,
        search_filter: str,
        attributes: list[str],
        *,
        scope: Any = ldap3.SUBTREE,
        paged: bool = False,
    ) -> list[dict[str, Any]]:
        time_limit = max(1, math.ceil(self.settings.timeout))
        if paged:
            return list(
                conn.extend.standard.paged_search(
                    base,
                    search_filter,
                    search_scope=scope,
                    attributes=attributes,
                    paged_size=_PAGE,
                    time_limit=time_limit,
                    generator=False,
                )
            )
        conn.search(base, search_filter, scope, attributes=attributes, time_limit=time_limit)
        result = conn.result or {}
        # Anything but success is a failure: even "no such object" (32), which is what
        # OpenLDAP says about a tree this bind may not read. That is no "no such tool".
        if result.get("result", 0) != 0:
            raise LDAPException(f"{result.get('description')}: {result.get('message')}")
        return [e for e in (conn.response or []) if e.get("type") == "searchResEntry"]

    async def _run(self, what: str, query: Query[T]) -> T:
        loop = asyncio.get_running_loop()
        deadline = self.settings.timeout * 2  # connect and one retry each within ``timeout``
        started = loop.time()
        try:
            async with asyncio.timeout(deadline):  # not wait_for: see adapters/irc/outbox
                return await loop.run_in_executor(self._pool, self._with_connection, query)
        except TimeoutError:
            log.warning("ldap: %s: no answer in %.1f s", what, loop.time() - started)
            raise DirectoryUnavailable(_unavailable(f"did not answer in {deadline:g} s")) from None
        except LDAPException as error:
            log.warning("ldap: %s: %s", what, error)
            raise DirectoryUnavailable(_unavailable("cannot be reached")) from None

    def _with_connection(self, query: Query[T]) -> T:
        """Run ``query`` on this thread's connection; a broken one is replaced once."""
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return query(connection)
            except LDAPException:
                self._local.connection = None
                _unbind(connection)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _connection(self) -> ldap3.Connection:
        connection: ldap3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None and not connection.closed:
            return connection
        failures = []
        # The replicas in order, each within ``timeout``. New Server objects each time:
        # ldap3 remembers an address that failed once as unusable for good.
        for server in _servers(self.settings):
            try:
                connection = self._bind(server)
            except LDAPException as error:
                failures.append(f"{server.host}: {error}")
                continue
            self._local.connection = connection
            with self._opened_lock:
                self._opened.append(connection)
            return connection
        raise LDAPException("; ".join(failures))

    def _bind(self, server: ldap3.Server) -> ldap3.Connection:
        s = self.settings
        connection = ldap3.Connection(
            server,
            user=s.bind_dn or None,
            password=s.bind_password or None,
            client_strategy=ldap3.SYNC,
            receive_timeout=math.ceil(s.timeout),  # ldap3 packs it into a socket option
            read_only=True,
            raise_exceptions=False,
            auto_referrals=False,
        )
        try:
            if s.start_tls:
                connection.open()
                connection.start_tls()
            if connection.bind():
                return connection
        except LDAPException:
            _unbind(connection)
            raise
        description = (connection.result or {}).get("description", "bind failed")
        _unbind(connection)
        raise LDAPException(f"bind as {s.bind_dn or 'anonymous'}: {description}")


def _servers(settings: LdapSettings) -> list[ldap3.Server]:
    tls = None
    if settings.ca_file or settings.start_tls or any(u.startswith("ldaps:") for u in settings.uris):
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=settings.ca_file,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
    return [
        ldap3.Server(uri, connect_timeout=settings.timeout, tls=tls, get_info=ldap3.NONE)
        for uri in settings.uris
    ]


def _unavailable(why: str) -> str:
    return (
        f"I cannot check maintainers right now: the developer directory (LDAP) {why}; "
        "nothing was done, try again in a minute"
    )


def _values(entry: dict[str, Any], name: str) -> list[str]:
    """An attribute's values as strings, whatever ldap3 made of them (one value or a list)."""
    attributes: dict[str, Any] = entry.get("attributes") or {}
    for key, value in attributes.items():
        if key.lower() == name.lower():
            if value is None:
                return []
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return []


def _unbind(connection: ldap3.Connection) -> None:
    try:
        connection.unbind()
    except (LDAPException, OSError):
        pass
