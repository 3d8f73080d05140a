"""Mutation testing of the security-critical modules (``make mutation``; not in CI's run).

Why mutmut (3.x): it forks one worker per mutant from a process that has
already imported the project and pytest, and runs only the tests that the
stats phase saw calling the mutated function. On this 2-core machine that is
1-2 mutants a second; cosmic-ray starts a fresh test process per mutant
(4-6 s each with this project's imports). mutmut reads its settings from the
``pyproject.toml`` of the directory it runs in and mutates a copy under
``mutants/``, so each group below runs in its own scratch copy of the
project with its own ``[tool.mutmut]`` table: its modules, and only the tests
that exercise them.

    python tests/mutation/run.py [group ...]   # all groups by default

Each group prints killed / survived / no tests / equivalent and its score:
killed (timeouts count as killed) over all mutants less the equivalent ones
listed in ``tests/mutation/EQUIVALENT.md``. The exit status is 1 when a
group scores under 90%.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scratch import ROOT, scratch_copy  # noqa: E402  (run as a script)

EQUIVALENT = Path(__file__).with_name("EQUIVALENT.md")
TARGET = 0.90
KEPT_HEADING = "## Survivors kept on purpose"


@dataclass(frozen=True)
class Group:
    modules: tuple[str, ...]
    tests: tuple[str, ...]
    pytest_args: tuple[str, ...] = ()  # e.g. --deselect a test mutmut's tracing makes too slow


GROUPS = {
    # The matrix (tests/test_authorisation_matrix.py) takes a minute a mutant on a loaded
    # machine; test_policy_rules gives its verdicts from the policy functions alone.
    "policy": Group(
        ("bot/policy.py",),
        (
            "tests/test_policy_rules.py",
            "tests/test_policy.py",
            "tests/ldap/test_outage.py",
            "tests/test_authorisation_matrix.py::"
            "test_where_linking_is_served_an_unlinked_person_is_told_to_link_themselves",
            "tests/test_authorisation_matrix.py::"
            "test_a_tool_whose_maintainers_are_all_disabled_says_so",
        ),
    ),
    "identity": Group(
        ("bot/identity.py",),
        (
            "tests/test_identity_rules.py",
            "tests/test_identity_and_addressing.py",
            "tests/ldap/test_outage.py",
            "tests/ldap/test_ldap_bot.py",
        ),
    ),
    # The redactor in three groups (900 mutants together): the secret names and how the
    # rules run, the rule families, the known values' encodings.
    "redact-names": Group(
        ("bot/redact/_words.py", "bot/redact/_rule.py", "bot/redact/_redactor.py"),
        ("tests/test_redaction_rules.py", "tests/test_redact.py", "tests/redaction"),
    ),
    "redact-rules": Group(
        tuple(
            f"bot/redact/{m}.py"
            for m in ("_commands", "_urls", "_tokens", "_assignments", "_calls", "__init__")
        ),
        ("tests/test_redaction_rules.py", "tests/test_redact.py", "tests/redaction"),
    ),
    "redact-values": Group(
        ("bot/redact/_known.py",),
        ("tests/test_redaction_rules.py", "tests/test_redact.py", "tests/redaction"),
    ),
    "confirm": Group(
        ("bot/store/confirmations.py", "commands/confirm.py"),
        ("tests/test_policy.py", "tests/test_store.py", "tests/test_confirmations.py"),
    ),
    "irc": Group(
        ("adapters/irc/identity.py", "adapters/irc/lines.py"),
        (
            "tests/irc/test_units.py",
            "tests/irc/test_lines.py",
            "tests/irc/test_identity_rules.py",
            "tests/irc/test_lines_rules.py",
        ),
    ),
    "slack": Group(
        ("adapters/slack/replays.py", "adapters/slack/inbound.py"),
        ("tests/test_slack_identity_rules.py", "tests/test_slack_adapter.py"),
        # It proves an ack comes while the command still runs: under mutmut's tracing
        # on a loaded machine the command is not yet seen when the ack arrives.
        (
            "--deselect",
            "tests/test_slack_adapter.py::test_a_slow_command_acks_in_time_and_answers_later",
        ),
    ),
    "schedule": Group(
        ("bot/migration/schedule.py",),
        (
            "tests/migration/test_translate_crontab.py",
            "tests/migration/test_translate_fuzz.py",
            "tests/migration/test_schedules.py",
        ),
    ),
}


def equivalent_mutants() -> set[str]:
    """The mutant names listed in EQUIVALENT.md: each entry ``- `name` ...``, with the
    names before its dash (`` `name` and `…_20` ``: ``…`` is the first name's stem), and
    none of the section of survivors kept on purpose, which count as survived."""
    if not EQUIVALENT.exists():
        return set()
    text = EQUIVALENT.read_text().split(KEPT_HEADING)[0]
    names = set()
    for first, rest in re.findall(r"^- `([\w.]+__mutmut_\d+)`([^\n—]*)", text, re.M):
        stem = first.rpartition("_")[0]
        names |= {first, *re.findall(r"`([\w.]+__mutmut_\d+)`", rest)}
        names |= {f"{stem}_{n}" for n in re.findall(r"`…_(\d+)`", rest)}
    return names


def _tests(group: Group) -> list[str]:
    return [t for t in group.tests if (ROOT / t.split("::")[0]).exists()]


def _workdir(name: str, group: Group) -> Path:
    work = scratch_copy(name)
    tests = _tests(group)
    table = {
        "source_paths": ["bot", "commands", "adapters"],
        "only_mutate": list(group.modules),
        "pytest_add_cli_args": [
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            "-x",
            *group.pytest_args,
        ],
        "pytest_add_cli_args_test_selection": tests,
        "use_git_change_detection": False,
        # A mutant that loops for ever is killed by the timeout: 15 times the tests'
        # duration (mutmut's default) costs minutes each on a loaded machine.
        "timeout_multiplier": 4.0,
        "timeout_constant": 10.0,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    (work / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text() + "\n".join(lines))
    return work


# mutmut collects the tests, then runs each mutant's tests by id in the same process.
_RESELECT = """
import contextlib, io, sys
import pytest

class Ids:
    ids: list[str] = []
    def pytest_collection_finish(self, session):
        Ids.ids = [item.nodeid for item in session.items]

quiet = ["--collect-only", "-q", "-p", "no:cacheprovider"]
with contextlib.redirect_stdout(io.StringIO()):
    pytest.main([*quiet, *sys.argv[1:]], plugins=[Ids()])
again = io.StringIO()
with contextlib.redirect_stdout(again), contextlib.redirect_stderr(again):
    status = pytest.main([*quiet, *Ids.ids])
print(again.getvalue()[-2000:] if status else "")
"""


def _unselectable_tests(work: Path, tests: list[str]) -> str:
    """pytest's complaint when one of the tests cannot be selected again by its id, else "".

    mutmut counts a mutant whose tests pytest cannot find (exit status 4) as killed,
    so one such id (a parameter holding a newline, once the process has collected the
    tests already) makes every mutant it covers a kill.
    """
    found = subprocess.run([sys.executable, "-c", _RESELECT, *tests], cwd=work, text=True,
                           capture_output=True, check=False)  # fmt: skip
    return found.stdout.strip()


def run_group(name: str, group: Group, equivalent: set[str]) -> float:
    work = _workdir(name, group)
    unselectable = _unselectable_tests(work, _tests(group))
    if unselectable:
        print(f"{name}: a test id cannot be selected (mutmut would count it a kill):\n"
              f"{unselectable}")  # fmt: skip
        return 0.0
    mutmut = Path(sys.executable).with_name("mutmut")
    log = work / "mutmut.log"
    with log.open("w") as out:
        subprocess.run([mutmut, "run", "--max-children", "1"], cwd=work, stdout=out,
                       stderr=subprocess.STDOUT, check=False)  # fmt: skip
    listed = subprocess.run([mutmut, "results", "--all", "true"], cwd=work, text=True,
                            capture_output=True, check=False).stdout  # fmt: skip
    verdicts = dict(re.findall(r"^\s*([\w.]+__mutmut_\d+): (.+)$", listed, re.M))
    if not verdicts:
        print(f"{name}: mutmut produced no verdicts; see {log}")
        return 0.0
    counted = {m: v for m, v in verdicts.items() if m not in equivalent}
    killed = sum(v in ("killed", "timeout") for v in counted.values())
    survivors = sorted(m for m, v in counted.items() if v not in ("killed", "timeout"))
    score = killed / len(counted) if counted else 1.0
    by_kind: dict[str, int] = {}
    for verdict in verdicts.values():
        by_kind[verdict] = by_kind.get(verdict, 0) + 1
    print(f"{name}: {score:.1%} killed of {len(counted)} non-equivalent mutants "
          f"({len(verdicts) - len(counted)} equivalent); {by_kind}")  # fmt: skip
    for mutant in survivors:
        print(f"    {mutant}: {counted[mutant]}")
    return score


def main(argv: list[str]) -> int:
    names = argv or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        print(f"unknown group(s) {unknown}; groups: {', '.join(GROUPS)}")
        return 2
    equivalent = equivalent_mutants()
    scores = {name: run_group(name, GROUPS[name], equivalent) for name in names}
    low = [name for name, score in scores.items() if score < TARGET]
    if low:
        print(f"under {TARGET:.0%}: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
