"""The whole suite, several times in a row, while every core is kept busy (``make test-loaded``).

Flaky tests hide on an idle machine: a margin that holds when the test has the
CPU to itself fails when it has to share it. This keeps every core spinning
(one busy-loop process per core, at the tests' own priority) and runs the
suite ``--runs`` times, stopping at the first failure, printing each run's
wall time. Extra arguments go to pytest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPIN = "while True: pass"


def busy(cores: int) -> list[subprocess.Popen[bytes]]:
    """One process per core doing nothing but spending it."""
    return [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(cores)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2,
                        help="busy-loop processes to start (default: one per core)")
    options, pytest_args = parser.parse_known_args()
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *pytest_args]
    print(f"loading {options.cores} cores; {options.runs} runs of: {' '.join(command[2:])}",
          flush=True)
    spinners = busy(options.cores)
    times: list[float] = []
    try:
        for run in range(1, options.runs + 1):
            started = time.monotonic()
            code = subprocess.call(command, cwd=ROOT)
            times.append(time.monotonic() - started)
            print(f"run {run}/{options.runs}: {'passed' if code == 0 else f'FAILED ({code})'} "
                  f"in {times[-1]:.0f} s", flush=True)
            if code != 0:
                return code
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
        print("wall times: " + ", ".join(f"{t:.0f} s" for t in times), flush=True)
    print(f"all {options.runs} runs passed with {options.cores} cores busy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
