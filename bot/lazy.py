"""Names a package exports but imports only on first use (PEP 562).

An adapter package re-exports its adapter and its config model; reading the
config model must not load the adapter's chat library. The migration planner
re-exports its parts; reading one (a snapshot, for the repository cache) must
not load all of them (and YAML) into a bot that has not planned anything yet.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from ``where[name]`` when asked."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(name)
        return getattr(importlib.import_module(where[name]), name)

    return __getattr__
