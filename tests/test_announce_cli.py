"""``forgebot announce ...`` and ``forgebot confirm`` at a terminal: the same command as in
chat, for the admin the operator names; the running bot's outbox gets the deliveries."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.app import SANDBOX_DATA
from bot.store import Store
from tests.test_cli import forgebot


def test_an_admin_announces_from_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "forgebot.toml"
    config.write_text(f"""
[bot]
admins = ["root-sre"]

[directory]
file = "{SANDBOX_DATA}"

[announce]
smtp_host = "127.0.0.1"
""", encoding="utf-8")  # fmt: skip
    words = ["--tools", "sample-legacy", "maintenance", "NFS", "restart", "|", "The", "NFS",
             "servers", "restart."]  # fmt: skip
    asked = forgebot("--config", str(config), "announce", "--as", "root-sre", *words,
                     data=tmp_path)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "to 2 maintainers of 1 tool" in asked.stdout and "reachable: email 2" in asked.stdout
    code = re.search(r"confirm (\d{4})", asked.stdout)
    assert code is not None, asked.stdout

    refused = forgebot("--config", str(config), "announce", "--as", "bob", *words, data=tmp_path)
    assert refused.returncode == 1 and "only forgebot admins may use announce" in refused.stdout

    done = forgebot("--config", str(config), "confirm", "--as", "root-sre", code.group(1),
                    data=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Announcement #1 is queued: 2 deliveries to make" in done.stdout

    async def queued() -> list[str]:
        store = await Store.open(f"sqlite:///{tmp_path / 'forgebot.sqlite3'}")
        try:
            return [d.destination for d in await store.announcement_deliveries(1)]
        finally:
            await store.close()

    assert asyncio.run(queued()) == ["email:bob@toolforge.org", "email:dave@toolforge.org"]
    listed = forgebot("--config", str(config), "announce", "--as", "root-sre", "list",
                      data=tmp_path)  # fmt: skip
    assert "NFS restart" in listed.stdout and "being sent" in listed.stdout
