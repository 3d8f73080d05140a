"""bot.heap.settle: garbage made while starting is collected, what lives on is frozen."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import settle


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> tuple[_Node, _Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return a, b


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """The test process's heap is thawed again after each test."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_garbage_made_before_settling_is_collected_not_frozen(unfrozen: None) -> None:
    gc.disable()  # no collection of its own between making the garbage and settling
    try:
        dropped = weakref.ref(_cycle()[0])
        assert dropped() is not None  # only the cyclic collector can free it
        settle()
        assert dropped() is None
    finally:
        gc.enable()


def test_what_lives_on_is_frozen_and_later_garbage_is_still_collected(unfrozen: None) -> None:
    kept = _cycle()
    settle()
    assert gc.get_freeze_count() > 0
    assert not any(o is kept[0] for o in gc.get_objects())  # left out of every collection
    later = weakref.ref(_cycle()[0])
    gc.collect()
    assert later() is None
