"""No input crashes the translator, and what it produces always loads."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.migration.apijobs import translate_api_jobs
from bot.migration.guides import PROBLEMS
from bot.migration.jobsyaml import render
from bot.migration.names import is_valid_job_name
from bot.migration.shellwords import split
from bot.migration.translate import translate_grid

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from([
    "jsub", "jstart", "qcronsub", "qsub", "jlocal", "webservice", "--backend=gridengine",
    "lighttpd", "start", "-N", "-mem", "2g", "-o", "-e", "-j", "y", "-l", "h_vmem=1G",
    "-continuous", "-once", "-v", "A=1,B", "-cwd", "-wd", "~/x", "-m", "bea", "-sync", "-t",
    "@daily", "@reboot", "*/5", "*", "0", "1-10/2", "jan", "mon", "cd", "&&", ";", "|", ">",
    "2>&1", "/dev/null", "'a b'", '"c d"', "$HOME/bot.py", "python3", "php", "%", "\\%", "#",
    "#$", "PATH=/bin", "MAILTO=x", "FOO=bar", "$(date)", "`x`", "'", '"', "\\", "--", "-",
])  # fmt: skip
LINES = st.lists(WORDS, max_size=14).map(" ".join)
GRID_TEXT = st.lists(LINES, max_size=6).map("\n".join)


def _check(text: str) -> None:
    translation = translate_grid(text, tool="mytool")
    for job in translation.jobs:
        assert is_valid_job_name(job.name), job.name
    assert len({j.name for j in translation.jobs}) == len(translation.jobs)
    for note in translation.notes:
        assert note.problem in PROBLEMS, note.problem
    loaded = yaml.safe_load(render(translation.jobs))
    assert loaded is None or isinstance(loaded, list)
    expected = [j for j in translation.jobs if not (j.kind == "scheduled" and not j.schedule)]
    assert [entry["name"] for entry in loaded or []] == [j.name for j in expected]
    assert [entry["command"] for entry in loaded or []] == [j.command for j in expected]


@FAST
@given(GRID_TEXT)
def test_grid_like_text_never_crashes(text: str) -> None:
    _check(text)


@FAST
@given(st.text(max_size=300))
def test_any_text_never_crashes(text: str) -> None:
    _check(text)


@FAST
@given(st.text(max_size=200))
def test_shell_split_spans_stay_inside_the_line(line: str) -> None:
    words = split(line)
    for token in words.tokens:
        assert 0 <= token.start < token.end <= len(line)


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    )
)
def test_any_json_as_current_jobs_never_crashes(payload: object) -> None:
    if isinstance(payload, dict | list):
        translate_api_jobs(payload, tool="t")
    translate_api_jobs({"jobs": [payload]}, tool="t")
