"""The planner on real Toolforge tool repositories holds its score (see corpus_score)."""

from __future__ import annotations

from .corpus_score import entries, score

# What the planner reached; raise these when it gets better, never lower them.
REPOS_RIGHT = 26
JOBS_EXACT = 103


def test_the_corpus_is_big_enough_and_real() -> None:
    corpus = entries()
    assert len(corpus) >= 25
    assert sum(len(e.expect["jobs"]) for e in corpus) >= 60
    for entry in corpus:
        assert entry.data["repository"].startswith("https://")
        assert len(entry.data["commit"]) == 40


def test_the_score_does_not_drop() -> None:
    result = score()
    assert result.repos_right >= REPOS_RIGHT, "\n".join(result.lines())
    assert result.jobs_exact >= JOBS_EXACT, "\n".join(result.lines())
