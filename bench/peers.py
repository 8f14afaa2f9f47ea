"""The peers the client is measured against, generated from the same `generated/openapi.json`.

- pydantic v2 models made by datamodel-code-generator, with extra fields allowed, since the client
  keeps the fields the spec does not list too.
- the client as openapi-python-client 0.29.1 generates it with its stock templates (same spec and
  config, no custom templates), to show what the templates change.
- msgspec Structs made by datamodel-code-generator. msgspec decodes a union of Structs only when each
  is tagged by a field at its own top level; the Instance union is told apart by `cypressVersion` and
  `framework.type`, which msgspec cannot express, so msgspec is measured on the variant's own Struct,
  given the runner in advance (an advantage the other decoders do not get).

They are generated into a temporary folder for the run and never shipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts.spec.sources import BUNDLED_NAME, GENERATED

BUNDLED = GENERATED / BUNDLED_NAME


def _codegen(output_model_type: str, target: Path, *extra: str) -> ModuleType:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(BUNDLED),
            "--input-file-type",
            "openapi",
            "--output-model-type",
            output_model_type,
            "--output",
            str(target),
            "--target-python-version",
            "3.11",
            "--disable-timestamp",
            "--formatters",
            "builtin",
            *extra,
        ],
        check=True,
        capture_output=True,
    )
    spec = importlib.util.spec_from_file_location(target.stem, target)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[target.stem] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec.loader.exec_module(module)
    return module


def _stock_client(folder: Path) -> ModuleType:
    config = folder / "stock-config.yaml"
    config.write_text(
        "package_name_override: stock_currents_client\nuse_path_prefixes_for_title_model_names: false\npost_hooks: []\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(BUNDLED),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(folder / "stock_currents_client"),
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    return importlib.import_module("stock_currents_client.models")


@dataclass
class Peers:
    pydantic: ModuleType
    msgspec: ModuleType
    msgspec_union_error: str
    stock: ModuleType

    def msgspec_decoder(self, variant: str) -> Any:
        """A decoder of the response envelope whose `data` is the Struct of `variant`."""
        import msgspec

        module = self.msgspec
        envelope = msgspec.defstruct("Envelope", [("status", str), ("data", getattr(module, variant))])
        return msgspec.json.Decoder(envelope)


def generate_peers(folder: Path) -> Peers:
    pydantic_models = _codegen("pydantic_v2.BaseModel", folder / "peer_pydantic.py", "--extra-fields", "allow")
    msgspec_models = _codegen("msgspec.Struct", folder / "peer_msgspec.py")
    import msgspec

    try:
        msgspec.json.Decoder(msgspec_models.InstanceResponse)
        union_error = ""
    except TypeError as error:
        union_error = str(error).split(" - ")[0]
    return Peers(pydantic_models, msgspec_models, union_error, _stock_client(folder))
