"""Classic web services (``webservice <type> start``) through the Kubernetes API."""

from bot.classic._client import ClassicWebServices, NotConfigured
from bot.classic._model import LABELS, ClassicWebService, WebPod, tool_labels

__all__ = ["LABELS", "ClassicWebService", "ClassicWebServices", "NotConfigured", "WebPod",
           "tool_labels"]  # fmt: skip
