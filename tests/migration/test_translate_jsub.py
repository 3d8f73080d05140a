"""jsub / jstart / qsub command lines -> one jobs-framework definition each, exactly."""

from __future__ import annotations

from typing import Any

import pytest

from bot.migration.model import Severity
from bot.migration.names import MAX_JOB_NAME
from bot.migration.translate import translate_grid

from .helpers import one_job, problems, set_fields

W = Severity.WARNING

# (command line, every field that differs from the defaults, warnings expected)
CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("jsub ~/bin/update.py",
     {"name": "update", "command": "~/bin/update.py", "image": "python3.11"}, set()),
    ("jsub -N My_Bot python3 bot.py",
     {"name": "my-bot", "command": "python3 bot.py", "image": "python3.11"}, set()),
    ("jsub python3 $HOME/src/fetch.py --all",
     {"name": "fetch", "command": "python3 $HOME/src/fetch.py --all", "image": "python3.11"},
     set()),
    ("jstart -N ircbot ~/bot/ircbot.sh",
     {"name": "ircbot", "command": "~/bot/ircbot.sh", "kind": "continuous"},
     {"continuous-exit"}),
    ("jsub -continuous -N relay node relay.js",
     {"name": "relay", "command": "node relay.js", "kind": "continuous", "image": "node20"},
     {"continuous-exit"}),
    ("qcronsub -N cleanup php cleanup.php",
     {"name": "cleanup", "command": "php cleanup.php", "image": "php8.2"}, set()),
    ("jsub -mem 2g -N big ./big.sh",
     {"name": "big", "command": "./big.sh", "mem": "2Gi"}, set()),
    ("jsub -mem 512m -N small ./small.sh", {"name": "small", "command": "./small.sh"}, set()),
    ("jsub -mem 256m -N tiny ./tiny.sh",
     {"name": "tiny", "command": "./tiny.sh", "mem": "256Mi"}, set()),
    ("jsub -mem 8g -N huge ./huge.sh",
     {"name": "huge", "command": "./huge.sh", "mem": "4Gi"}, {"memory-over-limit"}),
    ("jsub -l h_vmem=1500M -N vm ./vm.sh",
     {"name": "vm", "command": "./vm.sh", "mem": "1500Mi"}, set()),
    ("jsub -l virtual_free=1G -N vf ./vf.sh",
     {"name": "vf", "command": "./vf.sh", "mem": "1126Mi"}, set()),
    ("jsub -mem 524288k -N kib ./kib.sh", {"name": "kib", "command": "./kib.sh"}, set()),
    ("jsub -o ~/logs/a.out -e ~/logs/a.err -N a ./a.sh",
     {"name": "a", "command": "./a.sh", "filelog_stdout": "logs/a.out",
      "filelog_stderr": "logs/a.err"}, set()),
    ("jsub -j y -N joined ./j.sh",
     {"name": "joined", "command": "./j.sh", "filelog_stderr": "joined.out"}, set()),
    ("jsub -o /dev/null -e /dev/null -N quiet ./q.sh",
     {"name": "quiet", "command": "./q.sh", "filelog": False}, set()),
    ("jsub -o /dev/null -j y -N quiet2 ./q.sh",
     {"name": "quiet2", "command": "./q.sh", "filelog": False}, set()),
    ("jsub -o /data/project/mytool/logs/ -N d ./d.sh",
     {"name": "d", "command": "./d.sh", "filelog_stdout": "logs/d.out"}, set()),
    ("jsub -o /var/tmp/x.log -N abs ./abs.sh",
     {"name": "abs", "command": "./abs.sh", "filelog_stdout": "/var/tmp/x.log"}, set()),
    ("jsub -o ~/same.out -N same ./same.sh", {"name": "same", "command": "./same.sh"}, set()),
    ("jsub -sync y -N sync ./s.sh", {"name": "sync", "command": "./s.sh", "wait": True}, set()),
    ("jsub -cwd -N here ./h.sh", {"name": "here", "command": "./h.sh"}, {"working-directory"}),
    ("jsub -wd /data/project/mytool/src -N wd ./run.sh",
     {"name": "wd", "command": "cd /data/project/mytool/src && ./run.sh",
      "workdir": "/data/project/mytool/src"}, set()),
    ("jsub -wd ~ -N home ./run.sh", {"name": "home", "command": "./run.sh"}, set()),
    ("jsub -m bea -N m1 ./m.sh", {"name": "m1", "command": "./m.sh", "emails": "all"}, set()),
    ("jsub -m e -N m2 ./m.sh", {"name": "m2", "command": "./m.sh", "emails": "onfinish"}, set()),
    ("jsub -m a -N m3 ./m.sh", {"name": "m3", "command": "./m.sh", "emails": "onfailure"}, set()),
    ("jsub -m n -N m4 ./m.sh", {"name": "m4", "command": "./m.sh"}, set()),
    ("jsub -M me@example.org -N m5 ./m.sh", {"name": "m5", "command": "./m.sh"}, {"emails"}),
    ("jsub -once -quiet -stderr -q task -b y -N harmless ./h.sh",
     {"name": "harmless", "command": "./h.sh"}, set()),
    ("jsub -l release=buster -release trusty -N rel ./r.sh",
     {"name": "rel", "command": "./r.sh"}, set()),
    ("jsub -t 1-10 -N arr ./a.sh", {"name": "arr", "command": "./a.sh"}, {"no-equivalent"}),
    ("jsub -hold_jid other -N dep ./d.sh", {"name": "dep", "command": "./d.sh"},
     {"no-equivalent"}),
    ("jsub -umask 002 -N um ./u.sh", {"name": "um", "command": "./u.sh"}, {"no-equivalent"}),
    ("jsub -a 202401010000 -N later ./l.sh", {"name": "later", "command": "./l.sh"},
     {"no-equivalent"}),
    ("jsub -pe smp 4 -N par ./p.sh", {"name": "par", "command": "./p.sh"}, {"no-equivalent"}),
    ("jsub -frobnicate -N odd ./o.sh", {"name": "odd", "command": "./o.sh"},
     {"unknown-option"}),
    ("qsub -b y -N q /usr/bin/python3 x.py",
     {"name": "q", "command": "/usr/bin/python3 x.py", "image": "python3.11"}, set()),
    ("jsub -N venv ~/venv/bin/python x.py",
     {"name": "venv", "command": "~/venv/bin/python x.py", "image": "python3.11"},
     {"python-venv"}),
    ("jsub -N old python2 x.py",
     {"name": "old", "command": "python2 x.py", "image": "python3.11"}, {"python2"}),
    ("jsub -N query sql enwiki < ~/q.sql",
     {"name": "query", "command": "sql enwiki"}, {"bastion-command"}),
    ("jsub -N jar -mem 2g java -jar x.jar",
     {"name": "jar", "command": "java -jar x.jar", "image": "jdk17", "mem": "2Gi"}, set()),
    ("jsub -N perl perl ~/bot.pl", {"name": "perl", "command": "perl ~/bot.pl",
                                     "image": "perl5.36"}, set()),
    ("jsub -N db mysql -e 'select 1'",
     {"name": "db", "command": "mysql -e 'select 1'", "image": "mariadb"}, set()),
    ("jsub -N quoted 'my script.sh' \"arg with space\" $HOME/x",
     {"name": "quoted", "command": "'my script.sh' \"arg with space\" $HOME/x"}, set()),
    ("/usr/local/bin/jsub -N abs-path ./x.sh", {"name": "abs-path", "command": "./x.sh"}, set()),
    ("jsub -N " + "n" * 60 + " ./x.sh", {"name": "n" * MAX_JOB_NAME, "command": "./x.sh"}, set()),
    ("jlocal ~/bin/check.sh", {"name": "check", "command": "~/bin/check.sh"}, set()),
    ("FOO=1 jsub -N envprefix ./e.sh", {"name": "envprefix", "command": "FOO=1 ./e.sh"}, set()),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected", "warnings"), CASES, ids=[c[0][:40] for c in CASES])
def test_jsub_line(line: str, expected: dict[str, Any], warnings: set[str]) -> None:
    job, translation = one_job(line)
    assert set_fields(job) == expected
    assert problems(translation, Severity.WARNING) == warnings


def test_dropped_options_are_named_never_silent() -> None:
    _, translation = one_job("jsub -once -quiet -q task -l release=buster -N a ./a.sh")
    dropped = [n.message.split(":")[0] for n in translation.notes if n.problem == "no-equivalent"]
    assert dropped == ["-once", "-quiet", "-q", "-l release=buster"]
    assert all(n.severity is Severity.INFO for n in translation.notes)


def test_env_from_v_and_prefix_go_on_the_job_and_only_secrets_are_tool_wide() -> None:
    translation = translate_grid("FOO=1 jsub -v BAR=two,BAZ,API_TOKEN=s3cret -N a ./a.sh")
    (job,) = translation.jobs
    assert job.command == "FOO=1 BAR=two ./a.sh"
    # a secret belongs in toolforge envvars, never in a command; its value is not repeated
    assert [(e.name, e.value) for e in translation.envvars] == [("API_TOKEN", None)]
    assert "s3cret" not in repr(translation)
    unknown = [n for n in translation.notes if n.problem == "grid-shell-setting"]
    assert any("BAZ took its value from the submitting shell" in n.message for n in unknown)


def test_missing_program_gives_no_job_and_says_so() -> None:
    translation = translate_grid("jsub -N lonely")
    assert translation.jobs == ()
    assert problems(translation) == {"not-understood"}


def test_option_without_value() -> None:
    translation = translate_grid("jsub -N")
    assert translation.jobs == ()
    assert "needs a value" in translation.notes[0].message


def test_two_submissions_on_one_line() -> None:
    translation = translate_grid("jsub -N a ./a.sh; jsub -N b ./b.sh && jsub -N c ./c.sh")
    assert [j.name for j in translation.jobs] == ["a", "b", "c"]


def test_same_name_twice_gets_a_suffix_and_a_warning() -> None:
    translation = translate_grid("jsub -N a ./x.sh\njsub -N a ./y.sh")
    assert [(j.name, j.command) for j in translation.jobs] == [("a", "./x.sh"), ("a-2", "./y.sh")]
    assert problems(translation, Severity.WARNING) == {"job-name"}


def test_interpreter_default_name_is_the_script_not_the_interpreter() -> None:
    translation = translate_grid("jsub python3 a.py\njsub python3 -u b.py")
    assert [j.name for j in translation.jobs] == ["a", "b"]


def test_jsubrc_gives_defaults_and_the_command_line_wins() -> None:
    translation = translate_grid(
        "jsub -N plain ./p.sh\njsub -N own -mem 2g ./o.sh",
        jsubrc="-mem 1g\n-l release=buster\n",
    )
    assert [(j.name, j.mem) for j in translation.jobs] == [("plain", "1Gi"), ("own", "2Gi")]
    # the .jsubrc's dropped option is reported once, not per job
    assert sum(1 for n in translation.notes if "release" in n.message) == 1


def test_pasted_option_lines_act_like_jsubrc_but_never_name_jobs() -> None:
    translation = translate_grid("-mem 1g\n#$ -N everyone\njsub ./a.sh\njsub ./b.sh")
    assert [(j.name, j.mem) for j in translation.jobs] == [("a", "1Gi"), ("b", "1Gi")]


def test_embedded_options_in_the_script_apply() -> None:
    scripts = {"bin/run.sh": "#!/bin/bash\n#$ -N fromscript\n#$ -mem 2g\necho hi\n#$ -q ignored\n"}
    job, _ = one_job("jsub ~/bin/run.sh --fast", scripts=scripts)
    assert (job.name, job.mem, job.image) == ("fromscript", "2Gi", "bookworm")


def test_shebang_of_a_known_script_picks_the_image() -> None:
    job, _ = one_job("jsub ~/bin/tool", scripts={"bin/tool": "#!/usr/bin/env python3\n"})
    assert job.image == "python3.11"


def test_line_continuation_is_joined() -> None:
    job, _ = one_job("jsub -N long \\\n  -mem 1g \\\n  ./run.sh --all")
    assert set_fields(job) == {"name": "long", "command": "./run.sh --all", "mem": "1Gi"}


def test_sync_only_for_one_off() -> None:
    job, translation = one_job("jstart -sync y -N bot ./bot.sh")
    assert job.wait is False
    assert any("-sync only applies" in n.message for n in translation.notes)
