"""Whole crontabs: schedules, macros, environment lines, comments and cron's own quirks."""

from __future__ import annotations

from typing import Any

import pytest

from bot.migration.jobsyaml import render
from bot.migration.model import Severity
from bot.migration.schedule import normalise
from bot.migration.translate import translate_grid

from .helpers import one_job, problems, set_fields

WORKED_EXAMPLE = (
    (
        "PATH=/usr/local/bin:/usr/bin:/bin\n"
        "0 */6 * * * jsub -once -N refresh -mem 2g -o ~/logs/refresh.log -j y python3 "
        "$HOME/bot/refresh.py --all\n"
    )
    + """\
@daily /usr/bin/jsub -N cron-2 -once -quiet php $HOME/public_html/cron/cleanup.php
*/10 * * * * jstart -N ircbot -mem 1g $HOME/bot/ircbot.sh
"""
)

WORKED_EXAMPLE_YAML = """\
---
- name: refresh
  command: python3 $HOME/bot/refresh.py --all
  image: python3.11
  schedule: "0 */6 * * *"
  mem: 2Gi
  filelog-stdout: logs/refresh.log
  filelog-stderr: logs/refresh.log
- name: cron-2
  command: php $HOME/public_html/cron/cleanup.php
  image: php8.2
  schedule: "@daily"
- name: ircbot
  command: $HOME/bot/ircbot.sh
  image: bookworm
  continuous: true
  mem: 1Gi
"""


def test_worked_example_from_the_migration_facts() -> None:
    translation = translate_grid(WORKED_EXAMPLE, tool="mytool")
    assert render(translation.jobs) == WORKED_EXAMPLE_YAML
    assert problems(translation, Severity.WARNING) == {"continuous-exit"}
    assert {"cron-environment", "schedule-macro", "cron-keepalive", "memory-virtual"} <= problems(
        translation
    )


def test_dbreps_crontab_excerpt() -> None:
    translation = translate_grid(
        "PATH=/usr/local/bin:/usr/bin:/bin\n"
        "@hourly jsub -once -mem 2G -N rusty /data/project/dbreps/src/database-reports/target/"
        "release/dbreps2\n"
        "12 0 * * 6 jsub -once -j y -mem 280m -N general.linkedemailsinarticles -o ~/var/log "
        "-quiet ~/bin/dbreps -r general.linkedemailsinarticles -s enwiki\n",
        tool="dbreps",
    )
    assert [set_fields(j) for j in translation.jobs] == [
        {"name": "rusty", "kind": "scheduled", "schedule": "@hourly", "mem": "2Gi",
         "command": "/data/project/dbreps/src/database-reports/target/release/dbreps2"},
        {"name": "general.linkedemailsinarticles", "kind": "scheduled", "schedule": "12 0 * * 6",
         "mem": "280Mi", "command": "~/bin/dbreps -r general.linkedemailsinarticles -s enwiki",
         "filelog_stdout": "var/log/general.linkedemailsinarticles.out",
         "filelog_stderr": "var/log/general.linkedemailsinarticles.out"},
    ]  # fmt: skip
    assert "log-directory" in problems(translation)


# (crontab line, every field that differs from the defaults, warnings expected)
CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("@hourly jsub -N h ./h.sh",
     {"name": "h", "command": "./h.sh", "kind": "scheduled", "schedule": "@hourly"}, set()),
    ("@midnight jsub -N m ./m.sh",
     {"name": "m", "command": "./m.sh", "kind": "scheduled", "schedule": "@daily"}, set()),
    ("@annually jsub -N y ./y.sh",
     {"name": "y", "command": "./y.sh", "kind": "scheduled", "schedule": "@yearly"}, set()),
    ("@WEEKLY jsub -N w ./w.sh",
     {"name": "w", "command": "./w.sh", "kind": "scheduled", "schedule": "@weekly"}, set()),
    ("@reboot jsub -N boot ./b.sh",
     {"name": "boot", "command": "./b.sh", "kind": "scheduled"}, {"schedule-unsupported"}),
    ("*/5 * * * * jlocal ~/bin/check.sh",
     {"name": "check", "command": "~/bin/check.sh", "kind": "scheduled",
      "schedule": "*/5 * * * *"}, set()),
    ("5 4 * * * cd $HOME/src && ./update.sh > /dev/null 2>&1",
     {"name": "update", "command": "cd $HOME/src && ./update.sh", "kind": "scheduled",
      "schedule": "5 4 * * *", "workdir": "$HOME/src"}, set()),
    ("5 4 * * * cd ~ && ./home.sh",
     {"name": "home", "command": "./home.sh", "kind": "scheduled", "schedule": "5 4 * * *"},
     set()),
    (r"0 0 * * * jsub -N stamp ./stamp.sh --day $(date +\%F)",
     {"name": "stamp", "command": "./stamp.sh --day $(date +%F)", "kind": "scheduled",
      "schedule": "0 0 * * *"}, set()),
    ("0 0 * * * jsub -N mail ./mail.sh %hello",
     {"name": "mail", "command": "./mail.sh", "kind": "scheduled", "schedule": "0 0 * * *"},
     {"shell-syntax"}),
    ("0 9 * jan mon jsub -N jan ./j.sh",
     {"name": "jan", "command": "./j.sh", "kind": "scheduled", "schedule": "0 9 * 1 1"}, set()),
    ("0 9-17/4 * * * jsub -N office ./o.sh",
     {"name": "office", "command": "./o.sh", "kind": "scheduled",
      "schedule": "0 9,13,17 * * *"}, set()),
    ("61 * * * * jsub -N bad ./b.sh",
     {"name": "bad", "command": "./b.sh", "kind": "scheduled"}, {"schedule-unsupported"}),
    ("0 0 * * 7 jsub -N sunday ./s.sh",
     {"name": "sunday", "command": "./s.sh", "kind": "scheduled", "schedule": "0 0 * * 7"},
     set()),
    ("00 03 * * * jsub -N padded ./p.sh",
     {"name": "padded", "command": "./p.sh", "kind": "scheduled", "schedule": "0 3 * * *"},
     set()),
    ("*/10 * * * * jstart -N bot ~/bot.sh",
     {"name": "bot", "command": "~/bot.sh", "kind": "continuous"}, {"continuous-exit"}),
    ("0 * * * * /usr/local/bin/jsub -N pathjsub ./x.sh",
     {"name": "pathjsub", "command": "./x.sh", "kind": "scheduled", "schedule": "0 * * * *"},
     set()),
    ("0 * * * * [ -f ~/stop ] || jsub -N guarded ./g.sh",
     {"name": "guarded", "command": "./g.sh", "kind": "scheduled", "schedule": "0 * * * *"},
     {"shell-syntax"}),
    ("*/5 * * * * /usr/bin/jsub -N toolschecker.crontest -once -quiet touch "
     "/data/project/toolschecker/crontest.txt",
     {"name": "toolschecker.crontest", "command": "touch /data/project/toolschecker/crontest.txt",
      "kind": "scheduled", "schedule": "*/5 * * * *"}, set()),
    ("21 * * * * jstart -N update-cache curl 'https://example.org/?purge'",
     {"name": "update-cache", "command": "curl 'https://example.org/?purge'",
      "kind": "continuous"}, {"continuous-exit"}),
    ("0 0 * * * php ~/public_html/cron.php",
     {"name": "cron", "command": "php ~/public_html/cron.php", "kind": "scheduled",
      "schedule": "0 0 * * *", "image": "php8.2"}, set()),
    # five words, but './update.sh' is no cron field: a command with no schedule
    ("./update.sh --all --verbose now please",
     {"name": "update", "command": "./update.sh --all --verbose now please"}, set()),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected", "warnings"), CASES, ids=[c[0][:40] for c in CASES])
def test_crontab_line(line: str, expected: dict[str, Any], warnings: set[str]) -> None:
    job, translation = one_job(line)
    assert set_fields(job) == expected
    assert problems(translation, Severity.WARNING) == warnings


def test_unwrapped_cron_line_names_the_grid_wrapper_job() -> None:
    translation = translate_grid("# header\n\n0 0 * * * ./nightly.sh\n")
    (note,) = [n for n in translation.notes if n.problem == "cron-wrapped"]
    assert "cron-2" in note.message  # the grid's wrapper counted lines from 0


def test_environment_lines() -> None:
    translation = translate_grid(
        "MAILTO=me@example.org\nSHELL=/bin/bash\nCRON_TZ=Europe/Berlin\nLANG=C.UTF-8\n"
        "API_PASSWORD=hunter2\nTZ = UTC\n"
    )
    assert translation.jobs == ()
    # only a secret becomes tool-wide; LANG goes on the jobs of the crontab (none here)
    assert [(e.name, e.value) for e in translation.envvars] == [("API_PASSWORD", None)]
    assert problems(translation, Severity.WARNING) == {"schedule-timezone"}
    assert {"emails", "cron-environment", "envvars"} <= problems(translation, Severity.INFO)
    assert "hunter2" not in repr(translation)


def test_comments_and_blank_lines_produce_nothing() -> None:
    translation = translate_grid("# m h dom mon dow command\n\n   \n#0 0 * * * jsub ./off.sh\n")
    assert translation == translate_grid("")


def test_schedule_without_command() -> None:
    translation = translate_grid("0 0 * * *")
    assert translation.jobs == ()
    assert problems(translation) == {"not-understood"}


def test_keepalive_webservice_restart_is_not_carried_over() -> None:
    translation = translate_grid("*/10 * * * * webservice --backend=gridengine restart")
    assert (translation.jobs, translation.webservice) == ((), None)
    assert problems(translation) == {"webservice-keepalive"}


def test_unaccepted_schedule_is_left_out_of_jobs_yaml() -> None:
    translation = translate_grid("@reboot jsub -N boot ./boot.sh\n@daily jsub -N ok ./ok.sh")
    text = render(translation.jobs)
    assert "name: ok" in text
    assert "name: boot" not in text
    assert "left out until their schedule is fixed: boot" in text


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("*/15 * * * *", "*/15 * * * *"),
        ("0 0 1,15 * *", "0 0 1,15 * *"),
        ("0 0 * * sun", "0 0 * * 0"),
        ("0 0 * * mon-fri", "0 0 * * 1-5"),
        ("1-10/3 * * * *", "1,4,7,10 * * * *"),
        ("0 0 * DEC *", "0 0 * 12 *"),
        ("@daily", "@daily"),
        ("* * * * * *", None),
        ("*/0 * * * *", None),
        ("0 24 * * *", None),
        ("0 0 0 * *", None),
        ("0 0 L * *", None),
        ("@every 5m", None),
    ],
)
def test_schedule_normalisation(raw: str, value: str | None) -> None:
    assert normalise(raw).value == value
