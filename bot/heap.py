"""What a long-running bot does with its heap once it has assembled itself.

Everything made while starting (modules, the SQLAlchemy and pydantic models,
the command registry: hundreds of thousands of objects) lives as long as the
process. Python's cyclic collector would still walk all of it in every full
collection, and a burst of commands (1000 people asking ``status`` during an
outage) allocates enough to run several: measured, that walking was about 40% of
the bot's CPU time in such a burst (tests/bench/bench_lean.py). Frozen, those
objects are left out of every collection; what is garbage already is collected
first, so nothing that should go is kept.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what starting left behind, then freeze what remains. Called once by a
    process that runs until stopped (``forgebot run``, ``forgebot console``), never by a
    library user of the bot: frozen objects that later become garbage are never
    collected."""
    gc.collect()
    gc.freeze()
