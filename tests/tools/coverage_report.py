"""Line coverage of the whole suite, counting the Python subprocesses the tests start
(``make coverage``).

Several tests run ``forgebot`` as a real process (the CLI, ``forgebot run``,
the shipped example configuration); coverage's ``patch = subprocess``
(pyproject.toml) measures those too, each writing its own data file. This
runs the suite once under coverage, then prints the total twice, for the
pytest process alone and with its subprocesses, and the figure per package.
Extra arguments go to pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".coverage"  # absolute: subprocesses started in other directories find it


def run_suite(pytest_args: list[str]) -> tuple[int, Path | None]:
    """Run pytest under coverage; its exit code and the data file of the pytest process."""
    for old in ROOT.glob(".coverage*"):
        old.unlink()
    env = {**os.environ, "COVERAGE_FILE": str(DATA)}
    command = [sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q", "-p",
               "no:randomly", *pytest_args]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    code = process.wait()
    # parallel data files are named .coverage.<host>.pid<pid>.<random>
    own = [p for p in ROOT.glob(".coverage.*") if f".pid{process.pid}." in p.name]
    return code, own[0] if own else None


def measure(files: list[Path], name: str) -> dict[str, tuple[int, int]]:
    """Statements and covered statements per source file, for the data ``files`` combined."""
    combined = ROOT / name
    cov = coverage.Coverage(data_file=str(combined))
    cov.combine([str(f) for f in files], keep=True)
    cov.save()
    report = ROOT / f"{name}.json"
    cov.json_report(outfile=str(report), ignore_errors=True)
    result = {
        path: (info["summary"]["num_statements"], info["summary"]["covered_lines"])
        for path, info in json.loads(report.read_text())["files"].items()
    }
    report.unlink()
    return result


def percent(covered: int, statements: int) -> str:
    return f"{100 * covered / statements:5.1f}%" if statements else "  n/a"


def totals(files: dict[str, tuple[int, int]]) -> tuple[int, int]:
    return sum(s for s, _ in files.values()), sum(c for _, c in files.values())


def main() -> int:
    code, own = run_suite(sys.argv[1:])
    every = sorted(ROOT.glob(".coverage.*"))
    if own is None or not every:
        print("no coverage data was written", file=sys.stderr)
        return code or 1
    alone = measure([own], ".coverage-pytest-only")
    together = measure(every, ".coverage-combined")
    by_package: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path, (statements, covered) in together.items():
        package = str(Path(path).parent)
        by_package[package][0] += statements
        by_package[package][1] += covered
        by_package[package][2] += alone.get(path, (0, 0))[1]
    print(f"\n{'package':<34} {'stmts':>6} {'pytest only':>11} {'+ subprocesses':>14}")
    for package, (statements, covered, covered_alone) in sorted(by_package.items()):
        print(f"{package:<34} {statements:>6} {percent(covered_alone, statements):>11} "
              f"{percent(covered, statements):>14}")
    statements, covered = totals(together)
    _, covered_alone = totals(alone)
    print(f"{'TOTAL':<34} {statements:>6} {percent(covered_alone, statements):>11} "
          f"{percent(covered, statements):>14}")
    print(f"\n{len(every) - 1} subprocess data files; pytest exited with {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
