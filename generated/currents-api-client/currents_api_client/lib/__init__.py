# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The hand-written layer of the package: what the generator cannot derive from the spec.

Every module in this folder is written by hand, here: it is edited, linted, type-checked and tested where
it is, and `make generate` never touches this folder (`make check-generated` guards every other file of the
package, and none of these). The package's top level re-exports the public names, so users write
`from currents_api_client import iter_tests`.

- `_client`, `_errors`, `_types`: the clients, every exception, and the shared types of the endpoints and
  models. Their public names are the package's `client`, `errors` and `types` (generated modules that
  re-export them, since the generated endpoints import them from there): import them from there. The clients'
  `_transports` (how a call is sent: retries, the deadline, the size limit) and `_redaction` (how the key is
  kept out of reprs, exceptions and log records) are theirs alone. These five import nothing else of the
  package, so that the endpoints can import them while this package is still being imported.

- `records`: `iter_tests(instance)`, one `TestRecord` per test for every runner and schema version.
- `export`: JSON Lines, CSV and JUnit XML writers for records (JUnit needs the `[cli]` extra).
- `runs`: `fetch_run`/`afetch_run`, a whole run with its instances and records, and `astream_run`, the
  streaming form for exports and very large runs.
- `artifacts`: concurrent, streamed download of the records' artifact URLs.
- `files`: where an export or a download is written (standard output, FIFOs, symlinks, temporary files).
- `text`: server text as data on terminals and in export files.
- `webhooks`: `webhooks.unwrap(body, headers, secret=..., secret_header=...)`, a delivery of Currents verified
  and decoded to its event class (`WebhookEvent`); importable as `currents_api_client.webhooks`.
- `receiver`: `receiver(on_event, ...)`, an ASGI app that verifies deliveries (needs the `[webhooks]`
  extra).
- `history`: the test history in DuckDB: the incremental sync into it, the flakiness metrics, the Parquet
  dataset and quarantine (needs the `[history]` extra).
- `cli`, `cli_parser`, `cli_commands`, `cli_tables`, `cli_actions`, `cli_webhooks`, `cli_bodies`, `cli_listen`,
  `cli_sync`, `cli_history`, `cli_store`, `cli_quarantine`: the `currents-api` console script (needs the `[cli]` extra;
  `sync`, `flaky` and `dataset` the `[history]` extra too, `webhooks listen` the `[webhooks]` extra).
"""

from . import webhooks
from .artifacts import DownloadReport, MissingArtifact, adownload_artifacts, download_artifacts
from .export import ExportFormat, ExportFormatError, RecordWriter, format_for, write_records
from .records import STATES, Artifact, Instance, TestRecord, TestState, iter_tests, strip_ansi
from .runs import (
    FetchedRun,
    InstanceFailure,
    InstanceResult,
    Run,
    RunProgress,
    RunStream,
    afetch_run,
    astream_run,
    fetch_run,
)
from .webhooks import WebhookEvent

__all__ = (
    "STATES",
    "Artifact",
    "DownloadReport",
    "ExportFormat",
    "ExportFormatError",
    "FetchedRun",
    "Instance",
    "InstanceFailure",
    "InstanceResult",
    "MissingArtifact",
    "RecordWriter",
    "Run",
    "RunProgress",
    "RunStream",
    "TestRecord",
    "TestState",
    "WebhookEvent",
    "adownload_artifacts",
    "afetch_run",
    "astream_run",
    "download_artifacts",
    "fetch_run",
    "format_for",
    "iter_tests",
    "strip_ansi",
    "webhooks",
    "write_records",
)
