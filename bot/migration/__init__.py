"""Guided migration of grid-era and pre-built-image tools to the Toolforge build service.

- :mod:`translate` / :mod:`apijobs`: grid text and current jobs -> job definitions + notes
- :mod:`inspect`: what the build service will make of the repository
- :mod:`plan`: both combined into a :class:`Plan` (files, commands, checklist)
- :mod:`render`: a plan as a neutral ``Reply`` or as stable JSON
- :mod:`gitlab_mr`: a merge request with exactly the planned files
- :mod:`guides`: problem ids -> ``migration_guides/`` sections

Every name here is imported on first use: a running bot loads the planner
when someone plans, not at start.
"""

from typing import TYPE_CHECKING

from bot.lazy import lazy_exports

_WHERE = {
    "EnvVar": "bot.migration.model",
    "Job": "bot.migration.model",
    "Note": "bot.migration.model",
    "Plan": "bot.migration.plan",
    "RepoReport": "bot.migration.inspect",
    "Severity": "bot.migration.model",
    "Translation": "bot.migration.model",
    "inspect_snapshot": "bot.migration.inspect",
    "make_plan": "bot.migration.plan",
    "plan_for": "bot.migration.plan",
    "plan_json": "bot.migration.render",
    "plan_reply": "bot.migration.render",
    "translate_api_jobs": "bot.migration.apijobs",
    "translate_grid": "bot.migration.translate",
}
__all__ = [
    "EnvVar",
    "Job",
    "Note",
    "Plan",
    "RepoReport",
    "Severity",
    "Translation",
    "inspect_snapshot",
    "make_plan",
    "plan_for",
    "plan_json",
    "plan_reply",
    "translate_api_jobs",
    "translate_grid",
]

if TYPE_CHECKING:
    from bot.migration.apijobs import translate_api_jobs
    from bot.migration.inspect import RepoReport, inspect_snapshot
    from bot.migration.model import EnvVar, Job, Note, Severity, Translation
    from bot.migration.plan import Plan, make_plan, plan_for
    from bot.migration.render import plan_json, plan_reply
    from bot.migration.translate import translate_grid
else:
    __getattr__ = lazy_exports(_WHERE)
