"""The arrows between the kit's folders point one way: the base layer (kit/) imports neither the pipeline
(scripts/) nor the mock, and the mock (contract_tests/mock_api/) imports the base layer, never scripts/."""

from __future__ import annotations

import ast
from pathlib import Path

from kit._cli import ROOT


def imported_top_levels(folder: Path) -> dict[str, set[str]]:
    """Each module below `folder` (by relative path) and the top-level packages it imports, absolutely."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        tops = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
        found[path.relative_to(ROOT).as_posix()] = tops
    return found


def test_the_base_layer_imports_neither_the_pipeline_nor_the_mock() -> None:
    modules = imported_top_levels(ROOT / "kit")
    assert "kit/bundle.py" in modules
    assert {
        name: tops & {"scripts", "contract_tests"}
        for name, tops in modules.items()
        if tops & {"scripts", "contract_tests"}
    } == {}


def test_the_mock_imports_the_base_layer_and_not_the_pipeline() -> None:
    modules = imported_top_levels(ROOT / "contract_tests" / "mock_api")
    assert "kit" in modules["contract_tests/mock_api/corpus.py"]
    assert [name for name, tops in modules.items() if "scripts" in tops] == []
