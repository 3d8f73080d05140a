"""The inspector on local checkouts: language, buildpack, pins, web command, findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.migration.inspect import inspect_snapshot
from bot.migration.snapshot import RepoSource, Snapshot
from bot.repos import inspect_repository
from bot.repos.local import read_local

from .samples import EXPECTED, GRID_TOOL, SAMPLES, write_repo


def _snapshot(files: dict[str, str]) -> Snapshot:
    return Snapshot(RepoSource("mem", "local"), tuple(sorted(files)), dict(files))


@pytest.mark.parametrize("language", sorted(SAMPLES))
async def test_each_language_from_a_local_checkout(language: str, tmp_path: Path) -> None:
    root = write_repo(tmp_path / language, SAMPLES[language])
    report = await inspect_repository(str(root), tool="mytool")
    buildpack, version, framework, command = EXPECTED[language]
    assert (report.language, report.buildpack, report.version) == (language, buildpack, version)
    assert (report.web.framework if report.web else None) == framework
    assert (report.web.command if report.web else None) == command
    assert report.source.kind == "local"


def test_python_details() -> None:
    report = inspect_snapshot(_snapshot(SAMPLES["python"]), tool="mytool")
    assert report.package_manager == "pip"
    assert report.web is not None and report.web.needs_dependency == "gunicorn"
    assert report.apt_needed == (("poppler-utils", "pdf2image runs pdftoppm"),)
    assert [n.problem for n in report.notes] == ["home-path"]
    assert report.notes[0].source == "bot/update.py"
    assert "bot/run.sh" in report.scripts


def test_grid_era_layout_findings() -> None:
    report = inspect_snapshot(_snapshot(GRID_TOOL), tool="mytool")
    assert report.web is not None
    assert report.web.command == "gunicorn --bind 0.0.0.0:$PORT --chdir www/python/src app:app"
    assert {n.problem for n in report.notes} == {"nfs", "replica-credentials", "uwsgi"}
    assert report.apt_needed == (("ffmpeg", "bot/irc.py runs ffmpeg"),)


def test_php_extensions_and_grid_php_without_composer() -> None:
    report = inspect_snapshot(_snapshot(SAMPLES["php"]))
    assert report.php_extensions == ("intl",)
    grid = inspect_snapshot(_snapshot({"public_html/index.php": "<?php echo 1;"}))
    assert (grid.language, grid.buildpack) == ("php", "heroku/php")
    assert grid.web is not None and grid.web.command == "heroku-php-apache2 public_html/"
    assert [n.problem for n in grid.notes] == ["php-no-composer"]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"Pipfile": "[packages]\n", "app.py": ""}, "python-no-package-manager"),
        ({"requirements.txt": "", "uv.lock": ""}, "python-several-package-managers"),
        ({"requirements.txt": "", "runtime.txt": "python-3.11.9\n"}, "python-runtime-txt"),
        ({"package.json": "{}"}, "node-lockfile"),
        ({"package.json": "{not json"}, "not-understood"),
        ({"README.md": "hello"}, "unknown-language"),
        ({"requirements.txt": "", "composer.json": "{}"}, "multiple-languages"),
        ({"requirements.txt": "pywikibot\n"}, "pywikibot"),
        ({"requirements.txt": "", "x.py": "u = '/mytool/api'"}, "url-prefix"),
        ({"requirements.txt": "", ".lighttpd.conf": ""}, "lighttpd-config"),
        ({"package.json": '{"dependencies": {"express": "4"}}', "index.js": ""}, "node-port"),
    ],
)
def test_findings(files: dict[str, str], problem: str) -> None:
    report = inspect_snapshot(_snapshot(files), tool="mytool")
    assert problem in {n.problem for n in report.notes}


def test_runtime_txt_version_and_procfile_and_aptfile_are_read() -> None:
    report = inspect_snapshot(
        _snapshot(
            {
                "requirements.txt": "",
                "runtime.txt": "python-3.11.9\n",
                "Procfile": "web: gunicorn app:app\n# note\nworker: python w.py\nbroken line\n",
                "Aptfile": "# system\nimagemagick\n\n",
            }
        )
    )
    assert (report.version, report.version_source) == ("3.11", "runtime.txt")
    assert [(e.name, e.command, e.new) for e in report.procfile or ()] == [
        ("web", "gunicorn app:app", False),
        ("worker", "python w.py", False),
    ]
    assert report.aptfile == ("imagemagick",)


def test_local_reading_skips_vendored_directories_and_sees_exec_bits(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path,
        {"requirements.txt": "", "run.sh": "#!/bin/sh\n", "venv/bin/x.py": "import os\n",
         "node_modules/a/index.js": ""},
        executable=frozenset({"run.sh"}),
    )  # fmt: skip
    report = inspect_snapshot(read_local(root))
    assert report.paths == ("requirements.txt", "run.sh")
    assert report.executable == frozenset({"run.sh"})


def test_test_code_asks_for_no_system_packages(tmp_path: Path) -> None:
    # Tests run on a developer's machine or in CI, not on Toolforge.
    root = write_repo(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "tests/test_thumbs.py": "import subprocess\nsubprocess.run(['convert', 'a.png'])\n",
            "test_render.py": "import subprocess\nsubprocess.run(['ffmpeg', '-i', 'x'])\n",
            "thumbs.py": "import subprocess\nsubprocess.run(['pandoc', 'a.md'])\n",
        },
    )
    report = inspect_snapshot(read_local(root))
    packages = [package for package, _ in report.apt_needed]
    assert packages == ["pandoc"]
