"""Answers to frequent questions that are not about a tool's state: ``help <topic>``.

Each topic is a few sentences of what people usually need to know, and the
Wikitech (or MediaWiki) pages that say it with authority. Kept short on
purpose: the pages are the reference, this is the pointer.
"""

from __future__ import annotations

from dataclasses import dataclass

WIKITECH = "https://wikitech.wikimedia.org/wiki/"


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    title: str
    aliases: tuple[str, ...]
    sentences: tuple[str, ...]
    links: tuple[tuple[str, str], ...]  # (label, url)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "domains",
        "Custom domains",
        ("domain", "custom domain", "custom domains", "custom-domains", "dns", "url"),
        (
            "Toolforge serves every tool at https://<tool>.toolforge.org/ and does not offer "
            "custom domain names for tools.",
            "A project that needs its own domain runs on Cloud VPS, where a web proxy gives it "
            "a *.wmcloud.org name.",
        ),
        (
            ("Toolforge web services", WIKITECH + "Help:Toolforge/Web"),
            ("Cloud VPS", WIKITECH + "Help:Cloud_VPS"),
            (
                "Cloud VPS web proxies",
                WIKITECH + "Help:Using_a_web_proxy_to_reach_Cloud_VPS_servers_from_the_internet",
            ),
        ),  # fmt: skip
    ),
    Topic(
        "oauth",
        "OAuth (logging users in with their Wikimedia account)",
        ("login", "oauth2", "sign in"),
        (
            "Register an OAuth consumer on Meta-Wiki for your tool (a callback URL on "
            "<tool>.toolforge.org), then keep its key and secret in envvars, never in the "
            "repository (see envvars set).",
        ),
        (
            ("OAuth for developers", "https://www.mediawiki.org/wiki/OAuth/For_Developers"),
            (
                "Propose a consumer",
                "https://meta.wikimedia.org/wiki/Special:OAuthConsumerRegistration/propose",
            ),
            ("Tutorial: a Flask OAuth tool", WIKITECH + "Help:Toolforge/My_first_Flask_OAuth_tool"),
        ),  # fmt: skip
    ),
    Topic(
        "replicas",
        "Wiki replicas (reading wiki databases)",
        (
            "wiki replicas",
            "wiki-replicas",
            "replica",
            "db",
            "database",
            "databases",
            "sql",
            "toolsdb",
        ),  # fmt: skip
        (
            "Tools read sanitized copies of the wiki databases (<wiki>.analytics.db.svc.wikimedia"
            ".cloud or .web.db.svc...) with the credentials Toolforge gives each tool as the "
            "envvars TOOL_REPLICA_USER and TOOL_REPLICA_PASSWORD.",
            "A tool's own tables go in ToolsDB (TOOL_TOOLSDB_USER, TOOL_TOOLSDB_PASSWORD).",
        ),
        (
            ("Wiki replicas", WIKITECH + "Help:Wiki_Replicas"),
            ("Databases from Toolforge", WIKITECH + "Help:Toolforge/Database"),
            ("ToolsDB", WIKITECH + "Help:Toolforge/ToolsDB"),
        ),
    ),
    Topic(
        "adoption",
        "Adopting a tool, abandoned tools",
        (
            "adopt",
            "abandoned",
            "abandoned tools",
            "abandoned tool",
            "usurp",
            "usurpation",
            "fork",
            "take over",
        ),  # fmt: skip
        (
            "To help maintain a tool, ask its maintainers first (maintainers <tool>).",
            "When they do not answer, the abandoned tool policy lets you become a maintainer "
            "after a notice period, through a Phabricator task; the right to fork policy covers "
            "getting a copy of the code and data.",
        ),
        (
            ("Abandoned tool policy", WIKITECH + "Help:Toolforge/Abandoned_tool_policy"),
            ("Right to fork policy", WIKITECH + "Help:Toolforge/Right_to_fork_policy"),
            (
                "Toolforge standards committee",
                WIKITECH + "Help:Toolforge/Toolforge_standards_committee",
            ),
        ),  # fmt: skip
    ),
    Topic(
        "email",
        "Email to and from tools",
        ("mail", "e-mail", "smtp"),
        (
            "Mail to <tool>.<anything>@toolforge.org reaches the addresses in the tool's "
            ".forward files, else its maintainers.",
            "Jobs send mail through the SMTP server mail.tools.wmcloud.org, from an address "
            "the tool controls; a job's own failure mails are its --emails setting.",
        ),
        (("Email", WIKITECH + "Help:Toolforge/Email"),),
    ),
    Topic(
        "storage",
        "Storage: files, databases, dumps",
        ("files", "disk", "nfs", "home", "dumps", "data"),
        (
            "A tool's home (/data/project/<tool>) is shared NFS storage: fine for files and "
            "logs, not for databases or heavy writes. Build-service jobs mount it only with "
            "--mount=all.",
            "Tables go in ToolsDB; public wiki dumps are readable under /public/dumps.",
        ),
        (
            ("Shared storage", WIKITECH + "Help:Shared_storage"),
            ("ToolsDB", WIKITECH + "Help:Toolforge/ToolsDB"),
            ("Toolforge help", WIKITECH + "Help:Toolforge"),
        ),
    ),
)


def find_topic(words: str) -> Topic | None:
    wanted = " ".join(words.lower().split())
    for topic in TOPICS:
        if wanted == topic.key or wanted in topic.aliases:
            return topic
    return None


def topic_names() -> list[str]:
    return [t.key for t in TOPICS]
