"""``ClassicWebServices``: classic web services through the Kubernetes API (lightkube).

lightkube rather than kubernetes_asyncio: it speaks httpx like the rest of
forgebot, has typed resources, and imports in about 0.4 s against 1.4 s (it
is imported only when a classic web service is first looked at). One
client is kept per identity: forgebot's service account (platform mode) or
each tool's own kubeconfig or certificate (self-hosted mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.classic._errors import failure, setup_failure
from bot.classic._model import LABELS, ClassicWebService, service_of
from bot.errors import ToolforgeError

if TYPE_CHECKING:
    from bot.config import KubernetesSettings, KubernetesTool


class NotConfigured(ToolforgeError):
    """No Kubernetes API is configured for this tool: classic web services are not read."""


class ClassicWebServices:
    """Read and restart the web services ``webservice <type> start`` created.

    Every failure raises a ``ToolforgeError`` whose sentence names the
    Kubernetes API and what was not done; a delete that may have happened
    raises ``ToolforgeOutcomeUnknown``.
    """

    def __init__(self, settings: KubernetesSettings, user_agent: str = "forgebot/0.1") -> None:
        self.settings = settings
        self.user_agent = user_agent
        self._clients: dict[str, Any] = {}  # "" for the service account, else a tool

    def configured_for(self, tool: str) -> bool:
        return bool(self.settings.url) or tool in self.settings.tools

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

    async def find(self, tool: str) -> ClassicWebService | None:
        """The tool's classic web service, or None when it has none."""
        action = f"the classic web service of {tool} was not read"
        client = self._client(tool, action)
        namespace = f"tool-{tool}"
        from lightkube.resources.apps_v1 import Deployment
        from lightkube.resources.core_v1 import Pod

        try:
            deployments = [
                d async for d in client.list(Deployment, namespace=namespace, labels=LABELS)
                if d.metadata is None or d.metadata.deletionTimestamp is None
            ]
            if not deployments:
                return None
            pods = [p async for p in client.list(Pod, namespace=namespace, labels=LABELS)
                    if p.metadata is None or p.metadata.deletionTimestamp is None]  # fmt: skip
        except Exception as error:
            raise failure(error, namespace, action, timeout=self.settings.timeout) from error
        return service_of(tool, deployments[0], pods)

    async def restart(self, tool: str, pods: list[str]) -> list[str]:
        """Delete ``pods`` (the Deployment recreates them); returns those deleted.

        A pod already gone counts as deleted: the Deployment has replaced it.
        """
        from lightkube.core.exceptions import ApiError
        from lightkube.resources.core_v1 import Pod

        action = "nothing was restarted"
        client = self._client(tool, action)
        namespace, deleted = f"tool-{tool}", list[str]()
        for name in pods:
            try:
                await client.delete(Pod, name, namespace=namespace)
            except ApiError as error:
                if error.status.code != 404:
                    done = f"; deleted before that: {', '.join(deleted)}" if deleted else ""
                    raise failure(error, namespace, action + done, method="DELETE",
                                  timeout=self.settings.timeout) from error  # fmt: skip
            except Exception as error:
                raise failure(error, namespace, action, method="DELETE",
                              timeout=self.settings.timeout) from error  # fmt: skip
            deleted.append(name)
        return deleted

    def _client(self, tool: str, action: str) -> Any:
        own = self.settings.tools.get(tool)
        key = tool if own is not None else ""
        if key not in self._clients:
            if own is None and not self.settings.url:
                raise NotConfigured(
                    "no Kubernetes API is configured ([kubernetes] url, or a table for the "
                    f"tool), so classic web services are not read; {action}"
                )
            try:
                self._clients[key] = self._make(own)
            except Exception as error:
                raise setup_failure(error, tool if own is not None else None, action) from error
        return self._clients[key]

    def _make(self, own: KubernetesTool | None) -> Any:
        import httpx2
        from lightkube import AsyncClient, KubeConfig
        from lightkube.config.models import Cluster, User

        settings = self.settings
        if own is not None and own.kubeconfig:
            config = KubeConfig.from_file(own.kubeconfig)
        else:
            cluster = Cluster(server=settings.url, certificate_auth=settings.ca_file,
                              insecure=not settings.verify)  # fmt: skip
            if own is not None:
                user = User(client_cert=own.cert_file, client_key=own.key_file)
            elif settings.token_file:
                user = User(token_file=settings.token_file)
            else:
                user = User(token=settings.token or None)
            config = KubeConfig.from_one(cluster=cluster, user=user)
        client = AsyncClient(config, timeout=httpx2.Timeout(settings.timeout), trust_env=False)
        client._client._client.headers["User-Agent"] = self.user_agent
        return client
