"""How fast redaction is, and how much of the corpus leaks: ``python tests/bench/bench_redact.py``.

Prints lines/s over the redaction corpus (tests/redaction/corpus.yaml), over
long adversarial lines (the shapes that made a backtracking pattern take
minutes), and the number of corpus lines that still leak a secret.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.redact import redact_lines  # noqa: E402
from tests.redaction.adversarial import adversarial_lines  # noqa: E402
from tests.redaction.corpus import leaks, load_clean, load_corpus  # noqa: E402

ROUNDS = 20


def main() -> None:
    corpus = load_corpus()
    leaking = [entry for entry in corpus if leaks(entry, redact_lines)]
    clean = load_clean()
    changed = sum(redact_lines([line])[0] != line for line in clean)
    print(f"corpus: {len(corpus)} entries, {len(leaking)} leak; clean lines changed: {changed}")

    batches = [(entry.text.split("\n"), entry.known) for entry in corpus]
    count = sum(len(lines) for lines, _ in batches) * ROUNDS
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for lines, known in batches:
            redact_lines(lines, known)
    elapsed = time.perf_counter() - start
    print(f"corpus lines:      {count / elapsed:10.0f} lines/s")

    long_lines = adversarial_lines(40_000)
    worst = ("", 0.0)
    start = time.perf_counter()
    for name, line in long_lines:
        one = time.perf_counter()
        redact_lines([line], ["Zq9xW3vKp7Lm2Rt8", "another-known-value"])
        took = time.perf_counter() - one
        worst = max(worst, (name, took), key=lambda item: item[1])
    elapsed = time.perf_counter() - start
    print(
        f"40k-char lines:    {len(long_lines) / elapsed:10.1f} lines/s "
        f"({len(long_lines)} shapes; slowest {worst[0]!r}: {worst[1] * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
