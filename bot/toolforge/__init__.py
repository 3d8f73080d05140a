"""The Toolforge API client: jobs, logs, builds and envvars of a tool."""

from bot.toolforge._auth import ToolforgeAuth
from bot.toolforge._client import ToolforgeClient
from bot.toolforge._models import Build, Job, LogEntry, QuotaItem, quantity

__all__ = ["Build", "Job", "LogEntry", "QuotaItem", "ToolforgeAuth", "ToolforgeClient", "quantity"]
