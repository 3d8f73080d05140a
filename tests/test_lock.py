"""The lock covers what pyproject.toml asks for, and the deployment's lock is the same pins.

(`make lock` writes both files; this catches a dependency added to pyproject.toml
without running it, which would leave CI and the build service to pick versions.)
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pins(name: str) -> dict[str, str]:
    """name -> version of the pins that apply on this Python (markers evaluated)."""
    found: dict[str, str] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")) or line == ".":
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(default_environment()):
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            found[canonicalize_name(requirement.name)] = version
    return found


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = list(project["dependencies"])
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [Requirement(text) for text in listed]


def test_every_dependency_and_test_extra_is_pinned_within_its_range() -> None:
    locked = pins("requirements-test.txt")
    for requirement in declared("test"):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements-test.txt: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} is outside {requirement.specifier}: run make lock"
        )


def test_the_deployment_installs_the_same_pins_and_the_project() -> None:
    deployed, tested = pins("requirements.txt"), pins("requirements-test.txt")
    assert {name: tested[name] for name in deployed} == deployed
    for requirement in declared():
        assert canonicalize_name(requirement.name) in deployed
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "." in lines  # the build service installs the project itself from here
    assert "pytest" not in deployed and "mypy" not in deployed
