"""The Python API comparison (scripts/versions/api_diff.py): griffe's findings on the generated package, and the
rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kit._cli import ROOT
from scripts.versions.api_diff import compare_packages

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

PACKAGE = ROOT / "generated" / "currents-api-client"
MODELS = Path("currents_api_client/models")
VERSION: str = json.loads((ROOT / "generated" / "openapi.json").read_text())["info"]["version"]


@pytest.fixture
def packages(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the committed package: the base and one to change."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    old, new = tmp_path / "old" / "currents-api-client", tmp_path / "new" / "currents-api-client"
    shutil.copytree(PACKAGE, old, ignore=ignore)
    shutil.copytree(PACKAGE, new, ignore=ignore)
    return old, new


def edit(root: Path, relative: Path, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def found(old: Path, new: Path) -> list[tuple[str, str, str]]:
    return [(c.level, c.rule, c.pointer) for c in compare_packages(old, VERSION, new, VERSION)]


def test_identical_packages_have_no_change(packages: tuple[Path, Path]) -> None:
    assert found(*packages) == []


def test_removed_model_attribute_is_breaking(packages: tuple[Path, Path]) -> None:
    old, new = packages
    edit(new, MODELS / "worker.py", "    worker_index: int | None = None\n", "")

    changes = found(old, new)

    assert ("breaking", "python-api-removed", "python:currents_api_client.models.worker.Worker.worker_index") in changes


def test_a_changed_attribute_annotation_is_breaking(packages: tuple[Path, Path]) -> None:
    """griffe does not compare annotations; the 1.x -> 2.0 change (`int | Unset` to `int | None`) must still count."""
    old, new = packages
    edit(old, MODELS / "worker.py", "    worker_index: int | None = None\n", "    worker_index: int | Unset = UNSET\n")

    changes = found(old, new)

    assert [c for c in changes if c[0] == "breaking"] == [
        ("breaking", "python-api-changed", "python:currents_api_client.models.worker.Worker.worker_index")
    ]


def test_renamed_model_class_is_breaking_and_the_new_name_an_addition(packages: tuple[Path, Path]) -> None:
    old, new = packages
    edit(new, MODELS / "worker.py", "class Worker:", "class WorkerInfo:")

    changes = found(old, new)

    assert ("breaking", "python-api-removed", "python:currents_api_client.models.worker.Worker") in changes
    assert ("non-breaking", "python-api-added", "python:currents_api_client.models.worker.WorkerInfo") in changes


def test_changed_signature_is_breaking(packages: tuple[Path, Path]) -> None:
    old, new = packages
    module = Path("currents_api_client/api/instances/get_instance.py")
    text = (new / module).read_text()
    (new / module).write_text(
        text.replace("def sync(\n    instance_id: str,\n", "def sync(\n    instance_id: str,\n    expand: str,\n")
    )

    changes = found(old, new)

    assert ("breaking", "python-api-changed", "python:currents_api_client.api.instances.get_instance.sync") in changes


def test_an_implementation_change_that_keeps_the_api_is_info(packages: tuple[Path, Path]) -> None:
    old, new = packages
    edit(
        new,
        MODELS / "worker.py",
        "        field_dict: dict[str, Any] = {}\n",
        "        field_dict: dict[str, Any] = dict()\n",
    )

    assert found(old, new) == [("info", "python-package-changed", "package:currents-api-client")]


def test_the_changelog_and_the_version_line_are_the_release_not_a_change(packages: tuple[Path, Path]) -> None:
    old, new = packages
    (new / "CHANGELOG.md").write_text("# Changelog\n\n## 9.0.0\n")
    edit(new, Path("pyproject.toml"), f'version = "{VERSION}"', 'version = "9.0.0"')
    edit(new, Path("currents_api_client/__init__.py"), f'__version__ = "{VERSION}"', '__version__ = "9.0.0"')

    assert [(c.level, c.rule) for c in compare_packages(old, VERSION, new, "9.0.0")] == []
