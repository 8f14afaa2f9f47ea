# Hand-written, not generated: edit generator/lib/__init__.py; `make generate` copies it into the package unchanged.
"""The hand-written layer of the package: what the generator cannot derive from the spec.

Every module in this folder is written by hand in `generator/lib/` of the kit and copied here
unchanged by `make generate` (`make check-generated` compares the copies byte for byte). The
package's top level re-exports the public names, so users write
`from currents_api_client import iter_tests`.

- `records`: `iter_tests(instance)`, one `TestRecord` per test for every runner and schema version.
- `export`: JSON Lines, CSV and JUnit XML writers for records (JUnit needs the `[cli]` extra).
- `artifacts`: concurrent, streamed download of the records' artifact URLs.
- `cli`: the `currents-api` console script (needs the `[cli]` extra).
"""

from .export import ExportFormat, ExportFormatError, RecordWriter, format_for, write_records
from .records import STATES, Artifact, Instance, TestRecord, TestState, iter_tests, strip_ansi

__all__ = (
    "STATES",
    "Artifact",
    "ExportFormat",
    "ExportFormatError",
    "Instance",
    "RecordWriter",
    "TestRecord",
    "TestState",
    "format_for",
    "iter_tests",
    "strip_ansi",
    "write_records",
)
