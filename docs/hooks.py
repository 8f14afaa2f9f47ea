"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`): the API reference's inputs, made from the spec.

- `openapi.json` in the site is `generated/openapi.json` with `overlays/docs.overlay.yaml` applied (the embedded
  mock offered as a server for "Try it out"). Swagger UI renders it on the API reference page.
- The marker `<!-- operations -->` in a page becomes a table of every operation: its `operationId`, method and
  path, and the client module that calls it, linked into the client reference. `<!-- endpoints -->` becomes one
  mkdocstrings block per operation's module, and `<!-- paginated -->` a table of the operations that carry the
  spec's `x-currents-pagination` marker, with their `iterate` and `aiterate`. A module the document names but the
  generated package lacks fails the build, so the pages cannot drift from the client.

Errors raise `mkdocs.exceptions.PluginError` with one line; `strict: true` turns warnings into failures.
"""

from __future__ import annotations

import json
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from openapi_python_client.strings import snake_case

from kit._cli import ROOT, UserError
from kit.openapi import operations
from kit.overlays import apply_overlay_files

DOCUMENT = ROOT / "generated" / "openapi.json"
OVERLAY = ROOT / "overlays" / "docs.overlay.yaml"
PACKAGE = ROOT / "generated" / "currents-api-client" / "currents_api_client"
OPERATIONS_MARKER = "<!-- operations -->"
ENDPOINTS_MARKER = "<!-- endpoints -->"
PAGINATED_MARKER = "<!-- paginated -->"
PAGINATION = "x-currents-pagination"


def _document() -> dict[str, Any]:
    try:
        document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
        result: dict[str, Any] = apply_overlay_files(document, [OVERLAY])
    except (OSError, ValueError, UserError) as exc:
        raise PluginError(f"docs: cannot build the API reference's document: {exc}") from None
    return result


def _operations(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, client module's dotted name, operation) for every operation, in document order."""
    found = []
    for path, method, operation in operations(document):
        tag = snake_case(operation["tags"][0])
        module = snake_case(operation["operationId"])
        if not (PACKAGE / "api" / tag / f"{module}.py").is_file():
            raise PluginError(f"docs: {operation['operationId']} has no module api/{tag}/{module}.py")
        found.append((method, path, f"currents_api_client.api.{tag}.{module}", operation))
    return found


def _operations_table(document: dict[str, Any]) -> str:
    rows = ["| operationId | request | client module | summary |", "|---|---|---|---|"]
    for method, path, module, operation in _operations(document):
        short = module.removeprefix("currents_api_client.api.")
        rows.append(
            f"| `{operation['operationId']}` | `{method.upper()} {path}` "
            f"| [`{short}`][{module}] | {operation.get('summary', '')} |"
        )
    return "\n".join(rows)


def _paginated_table(document: dict[str, Any]) -> str:
    rows = ["| operationId | pages | walk them with |", "|---|---|---|"]
    for _, _, module, operation in _operations(document):
        marker = operation.get(PAGINATION)
        if marker is None:
            continue
        short = module.removeprefix("currents_api_client.api.")
        rows.append(
            f"| `{operation['operationId']}` | {marker['style']} "
            f"| [`{short}.iterate`][{module}.iterate], [`aiterate`][{module}.aiterate] |"
        )
    if len(rows) == 2:
        raise PluginError(f"docs: no operation carries {PAGINATION}")
    return "\n".join(rows)


def _endpoint_blocks(document: dict[str, Any]) -> str:
    return "\n\n".join(f"::: {module}" for _, _, module, _ in _operations(document))


# The document of the build under way: read and overlaid once per build (and rebuild, under `make docs-serve`).
_built: dict[str, Any] = {}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _built["document"] = _document()
    content = json.dumps(_built["document"], indent=2, ensure_ascii=False)
    files.append(File.generated(config, "openapi.json", content=content))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if OPERATIONS_MARKER in markdown:
        markdown = markdown.replace(OPERATIONS_MARKER, _operations_table(_built["document"]))
    if PAGINATED_MARKER in markdown:
        markdown = markdown.replace(PAGINATED_MARKER, _paginated_table(_built["document"]))
    if ENDPOINTS_MARKER in markdown:
        markdown = markdown.replace(ENDPOINTS_MARKER, _endpoint_blocks(_built["document"]))
    return markdown


__all__ = ["on_files", "on_page_markdown"]
