"""Regenerate `generated/` from the spec (`make generate`).

Scope: bundles `openapi/currents.yaml` with the files it references, applies
`overlays/client.overlay.yaml`, writes the result to `generated/openapi.json`,
and generates the client from it into `generated/currents-api-client/` with
the pinned openapi-python-client, `generator/config.yaml` and the custom
templates in `generator/templates/`. The templates also see the package
metadata of `generator/package.yaml` (as `package`) and the spec's `info`
(as `spec_info`: its version and license). The repository's `LICENSE` is
copied into the package, which names it in `license-files`, and so is the
hand-written `CHANGELOG.md` (one entry per version, checked by
`make check-version`), so that the sdist carries it. The pinned ruff
then fixes imports and formats the code; it runs as `python -m ruff` from
this environment, never from PATH.

Hand-written code: the package's `currents_api_client/lib/` is written by
hand where it is, and this never writes, copies or formats it: the swap
below carries the folder over from the old tree into the new one, unchanged
(`HAND_WRITTEN`; `make check-generated` compares every file but those).

All or nothing: everything is rendered into a temporary folder `.generate-*`
beside `generated/`, and swapped in only when every step succeeded. On any
failure, and on SIGTERM or Ctrl-C, `generated/` is left exactly as it was and
the temporary folder is removed. The swap itself is two renames (the old tree
out, the new one in), after a third that moves the hand-written `lib/`
from the old tree into the new; SIGTERM and Ctrl-C wait until all three are
done (or undone), so the hand-written folder is never left in the temporary
one. Between the two swap renames, for an instant, `generated/` does not
exist; a reader then finds no client, never a half-written one. (One atomic
rename of a non-empty folder over another is not portable.)

Vendor extensions: openapi-python-client does not hand an operation's `x-`
extensions to the templates, so they are given to them here, as the template
global `operation_extensions` (python name of the operationId -> its `x-`
keys). The endpoint template builds `iterate`/`aiterate` from
`x-currents-pagination`.

Reader types and runners: before rendering, `scripts/reader_types.py` rewrites the parsed document so that
response-only models read `X | None`, optional query parameters take `None` and date-time query parameters
a `datetime` (template global `reader_models`), and `scripts/runners.py` derives the body of `.runner` for
every instance and run model (template global `runner_properties`).

Strict: any warning of the generator (a schema it cannot express, a
dropped model) is an error, and so is a client document without operations
or with a `$ref` that points nowhere (an overlay that removed too much).

Input errors and bugs: a wrong input (the spec, an overlay, the generator
config, the generator's complaints about the spec) is one line. An exception
inside the generator or a template is a bug, not an input error: it is one
line naming the template line, plus how to see the traceback: `--debug`
(`make generate DEBUG=1`) lets it propagate with its traceback.

Exit status: 0 on success; 2 when an input is wrong, with one line naming
it (the spec file and JSON pointer, the overlay action, the template, or
the generator's complaint); 1 with a traceback under `--debug`; 143 on SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import jinja2
import jsonschema
import pydantic
from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.strings import PythonIdentifier

from kit import bundle
from kit import openapi as oas
from kit._cli import EXIT_OK, ROOT, UserError, display_path, run
from kit.overlays import apply_overlay_files
from kit.yaml_files import load_yaml
from scripts import reader_types, runners

GENERATED = ROOT / "generated"
CLIENT_OVERLAY = ROOT / "overlays" / "client.overlay.yaml"
GENERATOR_CONFIG = ROOT / "generator" / "config.yaml"
PACKAGE_METADATA = ROOT / "generator" / "package.yaml"
LICENSE = ROOT / "LICENSE"
CHANGELOG = ROOT / "CHANGELOG.md"
TEMPLATES = ROOT / "generator" / "templates"
BUNDLED_NAME = "openapi.json"
PROJECT_NAME = "currents-api-client"
# The hand-written modules of the package, relative to generated/: never generated, never copied.
HAND_WRITTEN_PART = f"{PROJECT_NAME}/currents_api_client/lib"
HAND_WRITTEN = GENERATED / HAND_WRITTEN_PART


class GenerationError(UserError):
    """A step of the generation failed; the message names the input at fault."""


# The shape generator/package.yaml must have; the template relies on every key.
_URL = {"type": "string", "pattern": '^https://[^\\s"]+$'}
_TEXT = {"type": "string", "minLength": 1, "pattern": '^[^"\\\\\\n]+$'}  # fits a TOML string as it is
PACKAGE_METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["authors", "keywords", "python_versions", "classifiers", "urls"],
    "properties": {
        "authors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {"name": _TEXT, "email": _TEXT},
            },
        },
        "keywords": {"type": "array", "items": _TEXT},
        "python_versions": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^3\\.[0-9]+$"}},
        "classifiers": {"type": "array", "items": _TEXT},
        "urls": {
            "type": "object",
            "required": ["Homepage", "Documentation", "Changelog", "Issues"],
            "additionalProperties": _URL,
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z ]*$"},
        },
    },
}


def package_metadata() -> dict[str, Any]:
    """generator/package.yaml, checked against PACKAGE_METADATA_SCHEMA."""
    where = display_path(PACKAGE_METADATA)
    metadata = load_yaml(PACKAGE_METADATA, GenerationError)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(PACKAGE_METADATA_SCHEMA).iter_errors(metadata)
    )
    if error is not None:
        path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise GenerationError(f"{where}: {path}: {error.message}")
    return dict(metadata)


def spec_info(document: dict[str, Any]) -> dict[str, Any]:
    """The spec's `info`, which must name the package's license as an SPDX identifier."""
    info: dict[str, Any] = document["info"]
    if not isinstance(info.get("license"), dict) or not info["license"].get("identifier"):
        raise GenerationError(
            f"{display_path(bundle.ENTRY)}: /info/license/identifier: the package's license is missing"
        )
    return info


def check_client_document(document: dict[str, Any]) -> None:
    """Refuse a document the generator would turn into a useless or partial client, in one line."""
    source = f"{display_path(bundle.ENTRY)} (bundled, with {display_path(CLIENT_OVERLAY)})"
    if not any(oas.operations(document)):
        raise GenerationError(f"{source}: no operations left under `paths`: the client would have no endpoints")
    broken = oas.dangling_ref(document)
    if broken is not None:
        raise GenerationError(f"{source}: {broken[0]}: $ref {broken[1]!r} points to nothing")


def client_document() -> dict[str, Any]:
    """The bundled source spec with the client overlay applied, checked as `check_client_document` says."""
    document: dict[str, Any] = apply_overlay_files(bundle.bundle(), [CLIENT_OVERLAY])
    check_client_document(document)
    return document


def _generator_config(document_path: Path, output: Path) -> Config:
    try:
        config_file = ConfigFile.load_from_path(GENERATOR_CONFIG)
    except FileNotFoundError:
        raise GenerationError(f"{display_path(GENERATOR_CONFIG)}: no such file") from None
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GenerationError(f"{display_path(GENERATOR_CONFIG)}: {where}: {first['msg']}") from None
    except Exception as exc:  # the YAML parser's own errors
        raise GenerationError(f"{display_path(GENERATOR_CONFIG)}: {str(exc).splitlines()[0]}") from None
    return Config.from_sources(
        config_file,
        MetaType.PDM,  # our pyproject.toml.jinja override decides the build backend
        document_source=document_path,
        file_encoding="utf-8",
        overwrite=False,
        output_path=output,
    )


def _template_frame(exc: BaseException) -> str | None:
    """`file:line` of the innermost template frame in the traceback of `exc`."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(".jinja"):
            found = f"{display_path(Path(frame.f_code.co_filename))}:{line}"
    return found


def _one_line(text: str) -> str:
    """`text` on one line, with object reprs (`<x.Y object at 0x...>`) the generator leaks made readable."""
    return " ".join(_OBJECT_REPR.sub(r"<\1>", text).split())


_OBJECT_REPR = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")


def operation_extensions(document: dict[str, Any], config: Config) -> dict[str, dict[str, Any]]:
    """Each operation's `x-` keys, by the python name the generator gives its operationId."""
    found = {}
    for _, _, operation in oas.operations(document):
        if "operationId" in operation:
            name = str(PythonIdentifier(operation["operationId"], config.field_prefix))
            found[name] = {key: value for key, value in operation.items() if key.startswith("x-")}
    return found


PAGINATION = "x-currents-pagination"


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """`node`, or what its internal `$ref` points to (followed until it is no reference)."""
    return oas.follow(document, node)[0]


def pagination_problem(document: dict[str, Any], operation: dict[str, Any]) -> str | None:
    """What is wrong with the operation's x-currents-pagination, or None. The templates trust what this checks:
    the style, the parameters it names, where the items (with their `cursor`) and the paging hints are, and the
    property that identifies an item (`item-id`, optional)."""
    extension = operation[PAGINATION]
    style = extension.get("style") if isinstance(extension, dict) else None
    if style not in ("cursor", "offset"):
        return "`style` must be `cursor` or `offset`"
    names = {(_resolve(document, p) or {}).get("name") for p in operation.get("parameters", [])}
    position = "cursor-parameter" if style == "cursor" else "page-parameter"
    for key in (position, "reverse-parameter"):
        if (key == position or key in extension) and extension.get(key) not in names:
            return f"`{key}` names {extension.get(key)!r}, which is not a parameter of the operation"
    if not isinstance(extension.get("items"), str):
        return "`items` must be the dotted path of the items in the 200 body, such as `data`"
    response = _resolve(document, operation.get("responses", {}).get("200")) or {}
    body = _resolve(document, response.get("content", {}).get("application/json", {}).get("schema")) or {}
    parent: dict[str, Any] = {}
    schema: Any = body
    for segment in extension["items"].split("."):
        if not isinstance(schema, dict) or segment not in schema.get("required", []):
            return f"`items`: the 200 body has no required `{extension['items']}`"
        parent, schema = schema, _resolve(document, schema.get("properties", {}).get(segment))
    item = (
        _resolve(document, schema.get("items")) if isinstance(schema, dict) and schema.get("type") == "array" else None
    )
    if not isinstance(item, dict):
        return f"`items`: `{extension['items']}` is not an array of objects"
    if style == "cursor" and ("has_more" not in body.get("required", []) or "cursor" not in item.get("required", [])):
        return "cursor pagination needs a required `has_more` in the body and a required `cursor` on each item"
    if style == "offset" and not {"nextPage", "total"} <= set(parent.get("required", [])):
        return f"offset pagination needs a required `nextPage` and `total` beside `{extension['items']}`"
    identity = extension.get("item-id")
    if identity is not None:
        kind = (_resolve(document, item.get("properties", {}).get(identity)) or {}).get("type")
        if identity not in item.get("required", []) or kind not in ("string", "integer"):
            return f"`item-id` names {identity!r}, which is not a required string or integer property of the items"
    return None


def check_pagination(document: dict[str, Any]) -> None:
    """Refuse, in one line naming the operation, an x-currents-pagination the templates cannot build from."""
    for path, method, operation in oas.operations(document):
        if PAGINATION in operation:
            problem = pagination_problem(document, operation)
            if problem:
                name = operation.get("operationId", f"{method.upper()} {path}")
                raise GenerationError(f"{display_path(bundle.ENTRY)}: {name}: {PAGINATION}: {problem}")


def _build_project(document: dict[str, Any], config: Config) -> Project:
    """openapi-python-client's Project, as its `generate()` builds it, with our metadata as template globals."""
    openapi = GeneratorData.from_dict(document, config=config)
    if not isinstance(openapi, GeneratorData):  # a GeneratorError: the document does not parse
        detail = _one_line(openapi.detail or "")
        header = _one_line(openapi.header)
        raise GenerationError(f"{display_path(bundle.ENTRY)}: openapi-python-client: {header}: {detail[:300]}")
    readers = reader_types.apply(
        openapi,
        reader_types.datetime_parameters(document, config.field_prefix),
        reader_types.delivered_schemas(document),
    )
    project = Project(openapi=openapi, config=config, custom_template_path=TEMPLATES)
    project.env.globals.update(
        reader_models=readers,
        runner_properties=runners.runner_properties(document, config.field_prefix),
        package=package_metadata(),
        spec_info=spec_info(document),
        operation_extensions=operation_extensions(document, config),
    )
    return project


def _run_openapi_python_client(
    document: dict[str, Any], document_path: Path, output: Path, debug: bool = False
) -> None:
    config = _generator_config(document_path, output)
    project = _build_project(document, config)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "Generating <dir>"
            problems = project.build()
    except jinja2.TemplateSyntaxError as exc:
        name = exc.filename or exc.name or "a template"
        raise GenerationError(
            f"{display_path(Path(name))}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except Exception as exc:  # a bug in a template or in the generator: name the template line
        if debug:
            raise
        where = _template_frame(exc) or display_path(TEMPLATES)
        raise GenerationError(
            f"{where}: {type(exc).__name__}: {_one_line(str(exc).splitlines()[0]) if str(exc) else ''} "
            "(a bug in a template or the generator; `make generate DEBUG=1` shows the traceback)"
        ) from None
    if problems:  # warnings included: a schema the generator cannot express is an error here
        first = problems[0]
        detail = _one_line(first.detail or "")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise GenerationError(
            f"{display_path(bundle.ENTRY)} (bundled, with {display_path(CLIENT_OVERLAY)}): openapi-python-client "
            f"{first.level.value.lower()}: {_one_line(first.header)}{': ' + detail[:300] if detail else ''}{more}"
        )


def _run_ruff(project: Path) -> None:
    for args in (["check", "--fix-only", "--quiet", "--no-cache", "."], ["format", "--quiet", "--no-cache", "."]):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            message = (completed.stderr or completed.stdout).strip().splitlines()
            raise GenerationError(f"ruff {args[0]} failed on the generated code: {message[0] if message else '?'}")


def render(target: Path, debug: bool = False) -> None:
    """Render a complete `generated/` tree into `target`, which must not exist yet."""
    document = client_document()
    check_pagination(document)
    target.mkdir()
    document_path = target / BUNDLED_NAME
    document_path.write_text(bundle.dumps(document), encoding="utf-8")
    project = target / PROJECT_NAME
    _run_openapi_python_client(json.loads(document_path.read_text(encoding="utf-8")), document_path, project, debug)
    shutil.copyfile(LICENSE, project / "LICENSE")
    try:
        shutil.copyfile(CHANGELOG, project / CHANGELOG.name)
    except FileNotFoundError:
        raise GenerationError(f"{display_path(CHANGELOG)}: no such file") from None
    _run_ruff(project)


def _swap_in(new: Path, scratch: Path) -> None:
    """Replace GENERATED by `new`, carrying the hand-written `lib/` over; `scratch` is a folder on the same
    filesystem to park the old tree in. SIGTERM and SIGINT are held back until the renames are done or undone."""
    old = scratch / "previous"
    carried = new / HAND_WRITTEN_PART
    held = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        if HAND_WRITTEN.exists():
            os.rename(HAND_WRITTEN, carried)
        try:
            if GENERATED.exists():
                os.rename(GENERATED, old)
            try:
                os.rename(new, GENERATED)
            except OSError:
                if old.exists():
                    os.rename(old, GENERATED)
                raise
        except OSError:
            if carried.exists():
                os.rename(carried, HAND_WRITTEN)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def generate(debug: bool = False) -> None:
    """Render and swap in; the temporary folder goes on every exit, SIGTERM included (`kit._cli.run`).

    SIGTERM is held back from the moment the folder is made until its cleanup is in place (the `with` is
    entered): a stop that arrived in between, as a busy machine makes possible, would leave it behind."""
    held = {signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        scratch_folder = tempfile.TemporaryDirectory(dir=ROOT, prefix=".generate-")
    except BaseException:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
        raise
    with scratch_folder as scratch:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)  # a SIGTERM held back now unwinds through the cleanup
        new = Path(scratch) / "generated"
        render(new, debug)
        _swap_in(new, Path(scratch))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="let a generator or template bug raise its traceback")
    args = parser.parse_args(argv)
    generate(debug=args.debug)
    print(f"generated {display_path(GENERATED)} from {display_path(bundle.ENTRY)}")
    return EXIT_OK


if __name__ == "__main__":
    run(main)
