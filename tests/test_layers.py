"""The arrows between the kit's folders point one way: the base layer (kit/) imports neither the pipeline
(scripts/) nor the mock, and the mock (contract_tests/mock_api/) imports the base layer, never scripts/.
Within the mock, the backend and every module it reaches know no HTTP: only the resources and `rest` do."""

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


def imported_modules(path: Path) -> set[str]:
    """The modules `path` imports by absolute name (`from a.b import c` gives `a.b` and `a.b.c`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def module_path(module: str) -> Path:
    """The file of `module` in this repository (it may not exist: a third-party module, or a name)."""
    base = ROOT / Path(*module.split("."))
    return base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"


def reached_from(module: str) -> set[str]:
    """`module` and every module of this repository it imports, directly or through others."""
    reached, todo = set(), [module]
    while todo:
        name = todo.pop()
        path = module_path(name)
        if name in reached or not path.is_file():
            continue
        reached.add(name)
        todo += sorted(imported_modules(path))
    return reached


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


HTTP_MODULES = ("starlette", "httpx", "contract_tests.mock_api.rest", "contract_tests.mock_api.resources")


def test_the_mocks_backend_reaches_no_http_module() -> None:
    reached = reached_from("contract_tests.mock_api.backend")
    assert {"contract_tests.mock_api.seed", "contract_tests.mock_api.project_settings"} <= reached
    imports = {name for module in reached for name in imported_modules(module_path(module))}
    assert sorted(n for n in imports if n.startswith(HTTP_MODULES)) == []
