"""Toolforge-shaped directory data for the LDAP tests, and its LDIF.

A few hundred tools over a couple of thousand developer accounts, shared
maintainers, a disabled account of each kind (locked, and under the
``disabled`` password policy), a tool with no members, a tool whose members
include another tool's account, non-ASCII developer names, a very large
group, and ``tools.admin``. Generated, deterministic, and known to the tests
as plain Python (:class:`ToolforgeData`) so they can say what each answer
must be.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field

from tests.ldap.server import BASE_DN, PROXY_DN, PROXY_PASSWORD

PEOPLE = f"ou=people,{BASE_DN}"
GROUPS = f"ou=servicegroups,{BASE_DN}"
TOOL_ACCOUNTS = f"ou=people,{GROUPS}"
DISABLED_POLICY = f"cn=disabled,ou=ppolicies,{BASE_DN}"

# The sandbox's sample tools and their maintainers, so the bot's end-to-end
# tests can run against the sandbox with this directory.
SANDBOX_TOOLS = {
    "sample-web": ["alice", "carol"],
    "sample-crashloop": ["alice"],
    "sample-cron": ["bob"],
    "sample-legacy": ["bob", "dave"],
    "sample-brokenbuild": ["carol"],
    "sample-empty": ["dave"],
}
NAMED = {
    "alice": ("Alice Example", "alice@example.org"),
    "bob": ("Bob Example", "bob@example.org"),
    "carol": ("Carol Example", "carol@example.org"),
    "dave": ("Dave Example", "dave@example.org"),
    "root-sre": ("Root SRE", "root-sre@example.org"),
    "zoe": ("Zoë Ünïcode-Łukasz 李雷", "zoe@example.org"),
    "mallory": ("Mallory Locked", "mallory@example.org"),
    "oldtimer": ("Old Timer", "oldtimer@example.org"),
    "twin1": ("Twin One", "twins@example.org"),
    "twin2": ("Twin Two", "twins@example.org"),
}


@dataclass
class Person:
    uid: str
    cn: str
    mail: str
    locked: bool = False
    policy_disabled: bool = False

    @property
    def disabled(self) -> bool:
        return self.locked or self.policy_disabled


@dataclass
class ToolforgeData:
    people: dict[str, Person] = field(default_factory=dict)
    tools: dict[str, list[str]] = field(default_factory=dict)  # tool -> member uids
    tool_members: dict[str, list[str]] = field(default_factory=dict)  # tool -> member tools

    @property
    def disabled(self) -> set[str]:
        return {uid for uid, p in self.people.items() if p.disabled}

    def maintainers(self, tool: str) -> frozenset[str]:
        return frozenset(u for u in self.tools[tool] if u not in self.disabled)

    def tools_of(self, uid: str) -> list[str]:
        if uid in self.disabled:
            return []
        return sorted(t for t, members in self.tools.items() if uid in members)

    def ldif(self) -> str:
        out = [
            _entry(BASE_DN, ["dcObject", "organization"], dc="wikimedia", o="Wikimedia"),
            _ou("people", BASE_DN),
            _ou("servicegroups", BASE_DN),
            _ou("people", GROUPS),
            _ou("ppolicies", BASE_DN),
            _ou("profile", BASE_DN),
            _ou("groups", BASE_DN),
            _entry(
                PROXY_DN, ["organizationalRole", "simpleSecurityObject"],
                cn="proxyagent", userPassword=PROXY_PASSWORD,
            ),
            _entry(
                DISABLED_POLICY, ["device", "pwdPolicy"], cn="disabled",
                pwdAttribute="userPassword", pwdLockout="TRUE",
            ),
        ]  # fmt: skip
        for number, person in enumerate(self.people.values()):
            extra: dict[str, str | list[str]] = {}
            if person.locked:
                extra["pwdAccountLockedTime"] = "000001010000Z"
            if person.policy_disabled:
                extra["pwdPolicySubentry"] = DISABLED_POLICY
            out.append(
                _entry(
                    f"uid={person.uid},{PEOPLE}",
                    ["inetOrgPerson", "posixAccount"],
                    uid=person.uid, cn=person.cn, sn=person.cn.split()[-1], mail=person.mail,
                    uidNumber=str(10000 + number), gidNumber="500",
                    homeDirectory=f"/home/{person.uid}", **extra,
                )
            )  # fmt: skip
        for number, tool in enumerate(self.tools):
            gid = str(50000 + number)
            out.append(
                _entry(
                    f"uid=tools.{tool},{TOOL_ACCOUNTS}", ["account", "posixAccount"],
                    uid=f"tools.{tool}", cn=f"tools.{tool}", uidNumber=gid, gidNumber=gid,
                    homeDirectory=f"/data/project/{tool}",
                )
            )  # fmt: skip
            members = [f"uid={uid},{PEOPLE}" for uid in self.tools[tool]]
            members += [f"uid=tools.{t},{TOOL_ACCOUNTS}" for t in self.tool_members.get(tool, [])]
            dn = f"cn=tools.{tool},{GROUPS}"
            if members:
                out.append(_entry(dn, ["groupOfNames"], cn=f"tools.{tool}", member=members))
            else:  # groupOfNames must have a member: a tool nobody maintains is a posixGroup
                out.append(_entry(dn, ["posixGroup"], cn=f"tools.{tool}", gidNumber=gid))
        return "\n".join(out)


def toolforge_data(tools: int = 300, people: int = 2000, seed: int = 10) -> ToolforgeData:
    rng = random.Random(seed)
    data = ToolforgeData()
    for uid, (cn, mail) in NAMED.items():
        data.people[uid] = Person(uid, cn, mail)
    data.people["mallory"].locked = True
    data.people["oldtimer"].policy_disabled = True
    for n in range(people):
        uid = f"dev{n:04d}"
        data.people[uid] = Person(uid, f"Developer {n} Ñandú", f"{uid}@example.org")
    developers = sorted(u for u in data.people if u.startswith("dev"))
    shared = developers[:20]  # people who maintain many tools
    data.tools.update(SANDBOX_TOOLS)
    for n in range(tools):
        members = rng.sample(shared, rng.randint(0, 2)) + rng.sample(developers, rng.randint(1, 4))
        data.tools[f"tool-{n:03d}"] = sorted(set(members))
    data.tools["admin"] = ["root-sre", "mallory"]
    data.tools["shared-tool"] = ["alice", "mallory", "oldtimer", "zoe"]
    data.tools["orphan"] = []
    data.tools["huge"] = developers  # every developer: a very large group
    data.tools["parent"] = ["bob"]
    data.tool_members["parent"] = ["tool-000"]  # a tool account among the members
    return data


def _ou(name: str, parent: str) -> str:
    return _entry(f"ou={name},{parent}", ["organizationalUnit"], ou=name)


def _entry(dn: str, classes: list[str], **attributes: str | list[str]) -> str:
    lines = [_line("dn", dn)] + [_line("objectClass", c) for c in ["top", *classes]]
    for name, value in attributes.items():
        for one in value if isinstance(value, list) else [value]:
            lines.append(_line(name, one))
    return "\n".join(lines) + "\n"


def _line(name: str, value: str) -> str:
    """One LDIF line; values that are not plain ASCII are base64 (RFC 2849 SAFE-STRING)."""
    if value.isascii() and not value.startswith((" ", ":", "<")) and "\n" not in value:
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"
