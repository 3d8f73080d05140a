"""``python -m bot`` is the ``forgebot`` command."""

from bot.cli import main

raise SystemExit(main())
