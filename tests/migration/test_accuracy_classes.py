"""One test per class of failure seen on real repositories, from lines of those repositories
(see tests/migration/corpus for where each comes from)."""

from __future__ import annotations

from pathlib import Path

from bot.migration.inspect import RepoReport, inspect_snapshot
from bot.migration.plan import Plan, plan_for
from bot.migration.snapshot import RepoSource, Snapshot
from bot.migration.translate import translate_grid
from bot.repos.local import read_local

SOURCE = RepoSource("https://gitlab.wikimedia.org/toolforge-repos/t", "gitlab", "main",
                    "https://gitlab.wikimedia.org/toolforge-repos/t",
                    "https://gitlab.wikimedia.org/toolforge-repos/t.git", "toolforge-repos/t",
                    "https://gitlab.wikimedia.org", "public", "main")  # fmt: skip


def _report(files: dict[str, str], executable: frozenset[str] = frozenset()) -> RepoReport:
    return inspect_snapshot(Snapshot(SOURCE, tuple(sorted(files)), files, executable), tool="t")


def _warnings(plan: Plan) -> set[str]:
    return {p.id for p in plan.warnings}


def _web(plan: Plan) -> str | None:
    return next((e.command for e in plan.procfile if e.name == "web"), None)


def test_1_a_perl_repository_keeps_its_jobs_on_the_perl_image() -> None:
    files = {"bin/live-scan.pl": "#! /usr/bin/env perl\n", "bin/enterprise_html.php": "<?php\n",
             "crontab": "03 0 * * * /usr/bin/jsub -N delete-done -once -j y -o /dev/null "
                        "/data/project/t/bin/live-scan.pl -c /data/project/t/t.cfg\n"}  # fmt: skip
    plan = plan_for("t", _report(files))
    (job,) = plan.jobs
    assert (job.image, job.command) == (
        "perl5.36",
        "/data/project/t/bin/live-scan.pl -c /data/project/t/t.cfg",
    )
    assert plan.language is None and "no-buildpack" in _warnings(plan)


def test_1_a_python_repository_the_build_cannot_install_keeps_pre_built_images() -> None:
    files = {"setup.py": "from distutils.core import setup\nsetup(name='dbreps')\n",
             "dbreps": "#!/usr/bin/python\n"}  # fmt: skip
    plan = plan_for("t", _report(files), grid_text="12 0 * * 6 jsub -N x ~/bin/dbreps -r x\n")
    assert [(j.image, j.command) for j in plan.jobs] == [("python3.11", "~/bin/dbreps -r x")]
    installable = {"setup.py": "from setuptools import setup\nsetup(install_requires=['flask'])\n",
                   "dbsync.job": "#!/bin/bash\n"}  # fmt: skip
    plan = plan_for("t", _report(installable), grid_text="37 17 * * * jsub dbsync.job\n")
    assert plan.jobs[0].image == plan.image
    assert next(f.content for f in plan.files if f.path == "requirements.txt") == ".\n"


def test_2_web_apps_in_common_spellings() -> None:
    g = "gunicorn --bind 0.0.0.0:$PORT"
    cases = {
        f"{g} app:app": {"app.py": "import flask\napp = flask.Flask(__name__)\n"},
        f"{g} src.app:app": {
            "src/__init__.py": "def create_app(test_config=None):\n    app = flask.Flask(1)\n",
            "src/app.py": "from src import create_app  # noqa E402\napp = create_app()\n",
        },
        f"{g} app:app ": {"app.py": "if __name__ == '__main__':\n    app.run()\n"},
        f"{g} src.web.app:app": {
            "src/__init__.py": "", "src/web/__init__.py": "",
            "src/web/app.py": "app = flask.Flask(__name__)\n",
        },
    }  # fmt: skip
    for command, files in cases.items():
        plan = plan_for("t", _report({"requirements.txt": "flask\n", **files}))
        assert _web(plan) == command.strip(), files


def test_2_cgi_sites_and_nested_apps_are_not_lost_silently() -> None:
    cgi = {"requirements.txt": "six\n", ".lighttpd.conf": "server.error-handler-404 = \"/x\"\n",
           "public_html/gateway.py": "#! /usr/bin/env python\nimport cgitb\n"}  # fmt: skip
    assert "cgi-site" in _warnings(plan_for("t", _report(cgi)))
    perl = {".lighttpd.conf": 'cgi.assign += ( "dtstats.rb" => "/usr/bin/ruby" )\n'}
    assert "cgi-site" in _warnings(plan_for("t", _report(perl)))
    nested = {"www/js/package.json": '{"scripts": {"start": "node server.js"}}', "README.md": ""}
    assert "web-nested" in _warnings(plan_for("t", _report(nested)))


def test_3_shell_settings_go_on_the_jobs_that_used_them() -> None:
    crontab = (
        "SHELL=/bin/bash\nHOME=/data/project/t\nBASH_ENV=${HOME}/.bash_profile\n"
        "PYTHONPATH=$HOME/.local/lib/python2.7/site-packages:$PYTHONPATH\nLANG=C.UTF-8\n"
        "47 * * * * jsub -N hocr -v PYTHONPATH=$HOME/phe python ~/phe/hocr.py\n"
        "28 4 * * * jsub -N rotate /usr/sbin/logrotate ~/phe/logrotate.conf\n"
    )
    translation = translate_grid(crontab, tool="t")
    assert translation.envvars == ()
    assert [j.command for j in translation.jobs] == [
        "LANG=C.UTF-8 PYTHONPATH=$HOME/phe python ~/phe/hocr.py",
        "LANG=C.UTF-8 /usr/sbin/logrotate ~/phe/logrotate.conf",
    ]
    warned = {n.message.split("=", 1)[0] for n in translation.notes
              if n.problem == "grid-shell-setting" and n.severity.value == "warning"}  # fmt: skip
    assert {"HOME", "BASH_ENV"} <= warned


def test_4_grid_runtime_in_the_code_is_flagged() -> None:
    for files in (
        {"jobs/upload.sh": '#!/bin/bash\nexport CONTEST=$(echo "$JOB_NAME")\n'},
        {"app.py": "cmd = [\n        'jsub',\n        '/data/project/x/run.sh']\n"},
        {"restart.sh": "#!/bin/bash\nqstat -j sulwatcher 2>&1 > /dev/null\njstart -N x ./x\n"},
        {"sge_jobs.py": "import os\njob = os.environ['JOB_ID']\n"},
    ):
        assert "grid-runtime" in {n.problem for n in _report(files).notes}, files
    assert "grid-runtime" not in {
        n.problem for n in _report({"x.py": "# run jsub by hand\n"}).notes
    }


def test_5_jstart_from_cron_on_a_script_that_ends_is_scheduled() -> None:
    scripts = {"crons/import.sh": "#!/bin/sh\ncd $HOME/public_html/api\nphp import.php\n",
               "bot/ircbot.sh": "#!/bin/bash\nexec python3 bot/irc.py\n"}  # fmt: skip
    text = ("0 0,6,12,18 * * *   jstart -N import -mem 500m sh $HOME/crons/import.sh\n"
            "*/10 * * * * jstart -N ircbot $HOME/bot/ircbot.sh\n")  # fmt: skip
    jobs = translate_grid(text, tool="t", scripts=scripts).jobs
    assert [(j.name, j.kind, j.schedule) for j in jobs] == [
        ("import", "scheduled", "0 0,6,12,18 * * *"),
        ("ircbot", "continuous", None),
    ]


def test_6_programs_found_through_path_are_mapped_to_the_repository() -> None:
    files = {".jsubrc": "-once\n", "local/bin/run_commons.sh": "time python $PWB archivebot\n"}
    plan = plan_for(
        "t", _report(files), grid_text="45 07 * * * jsub -release buster run_commons.sh\n"
    )
    assert plan.jobs[0].command == "$HOME/local/bin/run_commons.sh"  # no buildpack: tool home
    built = {"requirements.txt": "", "local/bin/plot.py": "#!/usr/bin/env python3\n"}
    plan = plan_for("t", _report(built), grid_text="0 8 * * 6 jsub -N p plot.py --start 2015\n")
    assert (
        next(e.command for e in plan.procfile if e.name == "p") == "local/bin/plot.py --start 2015"
    )


def test_7_jobs_are_named_after_the_script_not_its_arguments() -> None:
    text = ("05 00 * * * jlocal /data/project/t/bin/delay-dispatch.pl -c /data/project/t/t.cfg\n"
            "00 00 * * * jlocal perl /data/project/t/bin/dump-dispatch.pl -c /data/t.cfg\n"
            "0 1 * * * jsub bash ~/bin/refresh.sh --all\n"
            "0 2 * * * jsub sh run.sh\n")  # fmt: skip
    names = [j.name for j in translate_grid(text, tool="t").jobs]
    assert names == ["delay-dispatch", "dump-dispatch", "refresh", "run"]


def test_8_go_major_version_modules_and_the_aptfile(tmp_path: Path) -> None:
    go = {"go.mod": "module github.com/example/wikitool/v2\n\ngo 1.22\n",
          "main.go": 'package main\nimport "net/http"\n'}  # fmt: skip
    assert _web(plan_for("t", _report(go))) == "/layers/heroku_go/go_target/bin/wikitool"
    dump = {
        "index.php": "<?php\n",
        "crons/dump.sh": "mysqldump --defaults-file=~/replica.my.cnf s53917__npp_p | gzip\n",
    }
    assert _report(dump).apt_needed == (("mariadb-client", "crons/dump.sh runs mysqldump"),)
    # forgebot's own repository lists programs in data tables; it runs none of them
    root = Path(__file__).resolve().parents[2]
    assert inspect_snapshot(read_local(root), tool="forgebot").apt_needed == ()
