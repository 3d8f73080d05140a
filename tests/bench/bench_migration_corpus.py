"""Score the migration planner on the corpus of real Toolforge tool repositories.

Run: .venv/bin/python tests/bench/bench_migration_corpus.py [-v]   (not part of pytest;
tests/migration/test_corpus.py holds the score)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.migration.corpus_score import score  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    result = score()
    elapsed = time.perf_counter() - started
    for line in result.lines():
        print(line)
    print(f"({len(result.results)} repositories planned in {elapsed:.2f} s)")
    if "-v" in sys.argv:
        for r in result.results:
            for problem in r.problems:
                print(f"  {r.name}: {problem}")


if __name__ == "__main__":
    main()
