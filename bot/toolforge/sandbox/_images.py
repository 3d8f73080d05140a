"""Image names the way the jobs API resolves them (tjf/core/images.py), against the sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from bot.toolforge.sandbox._state import BuildRecord, SandboxState

REGISTRY = "docker-registry.tools.wmflabs.org"
HARBOR = "tools-harbor.wmcloud.org"
# short name -> state; the sandbox's image-config.
PREBUILT_IMAGES = {
    "bookworm": "stable",
    "bullseye": "deprecated",
    "node20": "stable",
    "php7.4": "deprecated",
    "php8.2": "stable",
    "python3.9": "deprecated",
    "python3.11": "stable",
    "python3.13": "stable",
}


@dataclass(frozen=True)
class ImageInfo:
    written: str
    full_url: str  # as the API echoes it in "No such image '<url>'"
    prebuilt: bool
    exists: bool
    build: BuildRecord | None = None  # the build a build-service image comes from

    @property
    def state(self) -> str:
        if self.prebuilt:
            return PREBUILT_IMAGES.get(self.written, "unknown")
        return "stable" if self.exists else "unknown"

    @property
    def source(self) -> str:
        """What the image was made from: a crash is tied to this (plus the command)."""
        if self.build is not None:
            return str(self.build.data["resolved_ref"])
        return self.written


def prebuilt_url(short: str) -> str:
    return f"{REGISTRY}/toolforge-{short.replace('.', '')}-sssd-web:latest"


def harbor_digest(build: BuildRecord) -> str:
    return str(build.data["destination_image"]).partition("@")[2]


def resolve(state: SandboxState, written: str) -> ImageInfo:
    rest, _, digest = written.partition("@")
    host = ""
    first = rest.split("/", 1)[0]
    if "/" in rest and "." in first:
        host, rest = rest.split("/", 1)
    project = ""
    if "/" in rest and rest.startswith("tool-"):
        project, rest = rest.split("/", 1)
    name, _, tag = rest.rpartition(":") if ":" in rest else (rest, "", "")
    full = f"{host + '/' if host else ''}{project + '/' if project else ''}{name}"
    full += (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    if not project:
        known = not host and not tag and name in PREBUILT_IMAGES
        return ImageInfo(written, full, prebuilt=True, exists=known)
    tool = state.tools.get(project.removeprefix("tool-"))
    if tool is None or tag not in ("", "latest") or host not in ("", HARBOR):
        return ImageInfo(written, full, prebuilt=False, exists=False)
    for build in tool.builds:
        if build.status != "BUILD_SUCCESS" or build.image_name != name:
            continue
        if not digest or harbor_digest(build) == digest:
            return ImageInfo(written, full, prebuilt=False, exists=True, build=build)
    return ImageInfo(written, full, prebuilt=False, exists=False)
