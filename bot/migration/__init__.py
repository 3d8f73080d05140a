"""Guided migration of grid-era and pre-built-image tools to the Toolforge build service.

- :mod:`translate` / :mod:`apijobs`: grid text and current jobs -> job definitions + notes
- :mod:`inspect`: what the build service will make of the repository
- :mod:`plan`: both combined into a :class:`Plan` (files, commands, checklist)
- :mod:`render`: a plan as a neutral ``Reply`` or as stable JSON
- :mod:`gitlab_mr`: a merge request with exactly the planned files
- :mod:`guides`: problem ids -> ``migration_guides/`` sections
"""

from bot.migration.apijobs import translate_api_jobs
from bot.migration.inspect import RepoReport, inspect_snapshot
from bot.migration.model import EnvVar, Job, Note, Severity, Translation
from bot.migration.plan import Plan, make_plan, plan_for
from bot.migration.render import plan_json, plan_reply
from bot.migration.translate import translate_grid

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
