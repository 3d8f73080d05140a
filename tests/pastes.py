"""Grid-era text as people paste it into chat, and what the migration must make of it.

Each case is the text a maintainer would put in a file for ``forgebot plan
--grid FILE``, and the jobs it must give. On every platform the same text,
pasted the way that platform pastes it, must reach the migration unchanged:
the jobs planned from what the conversation stored must be these jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.migration import translate_grid
from bot.store import Store

CRONTAB = (
    "0 3 * * * jsub -N nightly python3 nightly.py\n"
    "30 * * * * jsub -once -N hourly php hourly.php\n"
    "@daily jsub -N daily ./daily.sh"
)


@dataclass(frozen=True)
class Case:
    text: str
    jobs: tuple[tuple[str, str | None, str], ...]  # name, schedule, command
    webservice: str | None = None  # the grid webservice type it names


CASES = {
    "options": Case("webservice --backend=gridengine php7.4 start", (), webservice="php7.4"),
    "multi-line": Case(
        CRONTAB,
        (
            ("nightly", "0 3 * * *", "python3 nightly.py"),
            ("hourly", "30 * * * *", "php hourly.php"),
            ("daily", "@daily", "./daily.sh"),
        ),
    ),
    "quoted": Case(
        'jsub -N "nightly job" -mem 1g python3 "my script.py"',
        (("nightly-job", None, 'python3 "my script.py"'),),
    ),
    "semicolon": Case(
        "0 3 * * * jsub -N a a.sh; 5 4 * * * jsub -N b b.sh",
        (("a", "0 3 * * *", "a.sh"), ("b", "5 4 * * *", "b.sh")),
    ),
}


def planned(text: str) -> tuple[tuple[tuple[str, str | None, str], ...], str | None]:
    """The jobs and the grid webservice type the translator makes of ``text``."""
    translation = translate_grid(text, tool="sample-cron")
    jobs = tuple((j.name, j.schedule, j.command) for j in translation.jobs)
    web = translation.webservice.grid_type if translation.webservice else None
    return jobs, web


async def assert_reached_the_migration(store: Store, chat_key: str, case: Case) -> None:
    """The migration of ``chat_key`` holds ``case``'s text, giving exactly its jobs."""
    conversation = await store.conversation_get(chat_key, "migrate")
    assert conversation is not None, f"no migration for {chat_key}"
    stored = "\n".join(conversation.load_state()["grid"])
    assert planned(stored) == planned(case.text) == (case.jobs, case.webservice), stored
