"""Run the mock Currents API in the foreground: `python -m contract_tests.mock_api`.

Scope: serves every operation of the spec from one seeded world built from the fixture corpus and
the spec's seed examples (see `contract_tests.mock_api.app` and `seed`), until Ctrl-C or SIGTERM.
Cancel, reset and delete change that world; a restart builds it again. Run it from the project
root (it imports `kit`, the base layer). It prints its base URL, a working key, a curl line to try, and every project's
id, name and number of runs.

Environment:
- `MOCK_HOST`: the address to listen on (default 127.0.0.1; the mock is meant for loopback).
- `MOCK_PORT`: the port, 0 to 65535 (default 4010; 0 picks a free one, printed).
- `MOCK_API_KEY`: an extra key that may read and write every project, printed instead of the
  demo key of `keys.yaml`.
- `MOCK_RUN_SIZE`: the number of instances of an extra generated run it serves (default 20; see
  `contract_tests.mock_api.generated_run`), for `currents-api run` and the export benchmark. The run is an
  ordinary run of the world (`add_to_world`): listed in its project, scoped by the keys, deletable.
- `MOCK_ARTIFACT_TTL`: seconds that the artifact URLs of its instances stay valid (default 7200,
  as Currents'); they point at the mock itself (`contract_tests.mock_api.artifacts`).
An empty variable counts as unset.

Webhooks: canceling a run (`PUT /runs/{runId}/cancel`, cancel-by-CI) POSTs `RUN_CANCELED` to the project's
webhooks subscribed to it, on loopback addresses only (`contract_tests.mock_api.deliveries`); with
`currents-api webhooks listen` a person sees each delivery arrive. The mock plays no run forward by itself,
so it sends no RUN_START, RUN_FINISH or RUN_TIMEOUT.

Browsers: pages served from a loopback address (the docs site's "Try it out") may call it
(`contract_tests.mock_api.browsers`).

Limits: a test double; the keys in `keys.yaml` are public demo keys. Each request is logged
by uvicorn's access log on standard output, after the banner.

Exit status: 0 when stopped by Ctrl-C or SIGTERM; 2 for unusable input (MOCK_PORT not an
integer or out of range, an address that cannot be bound such as a port in use, a bad key,
keys file, fixture or example, naming the file and the entry; a MOCK_ARTIFACT_TTL or MOCK_RUN_SIZE that is
not a positive number), as one line on standard error.
"""

from __future__ import annotations

import os
import shlex
import signal
import threading

from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.artifacts import ArtifactSigner, serve_artifacts
from contract_tests.mock_api.browsers import allow_loopback_pages
from contract_tests.mock_api.corpus import SEED_EXAMPLES, seed_bodies
from contract_tests.mock_api.generated_run import GeneratedRun, add_to_world
from contract_tests.mock_api.keys import KEYS_FILE, load_keys
from contract_tests.mock_api.server import base_url, bind, serve_forever
from kit._cli import EXIT_OK, UserError, display_path, run
from kit.bundle import bundle

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "4010"


def parse_port(text: str) -> int:
    try:
        port = int(text.strip())
    except ValueError:
        raise UserError(f"MOCK_PORT must be an integer from 0 to 65535, not {text!r}") from None
    if not 0 <= port <= 65535:
        raise UserError(f"MOCK_PORT must be from 0 to 65535, not {port}")
    return port


def parse_ttl(text: str) -> float:
    try:
        ttl = float(text.strip())
    except ValueError:
        ttl = 0.0
    if not ttl > 0:
        raise UserError(f"MOCK_ARTIFACT_TTL must be a positive number of seconds, not {text!r}")
    return ttl


def parse_run_size(text: str) -> int:
    if not text.strip().isdigit() or not 0 < int(text) <= 100_000:
        raise UserError(f"MOCK_RUN_SIZE must be an integer from 1 to 100000, not {text!r}")
    return int(text)


def demo_key(extra_key: str | None) -> str:
    if extra_key is not None:
        return extra_key
    key = load_keys(KEYS_FILE).first_with_every_project()
    if key is None:
        raise UserError(f'{display_path(KEYS_FILE)}: no key may read every project (projects: ["*"])')
    return key.value


def main() -> int:
    # First, before anything is printed: SIGTERM and Ctrl-C only request a stop, which uvicorn honours
    # as soon as it serves (`serve_forever`), so the mock exits 0 whenever the signal comes. Installed
    # after the banner, a SIGTERM sent on seeing the banner killed the process (-15); a handler that
    # raised KeyboardInterrupt could land inside asyncio's or uvicorn's setup and leave noise or worse.
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    serve()
    return EXIT_OK


STOP = threading.Event()


def request_stop(signum: int, frame: object) -> None:
    STOP.set()


def serve() -> None:
    host = os.environ.get("MOCK_HOST") or DEFAULT_HOST
    port = parse_port(os.environ.get("MOCK_PORT") or DEFAULT_PORT)
    extra_key = os.environ.get("MOCK_API_KEY") or None
    ttl = parse_ttl(os.environ.get("MOCK_ARTIFACT_TTL") or "7200")
    generated = GeneratedRun.build(parse_run_size(os.environ.get("MOCK_RUN_SIZE") or "20"))
    key = demo_key(extra_key)
    mock = create_app(extra_key=extra_key)
    add_to_world(mock.backend.world, generated)  # an ordinary run of the world: listed, scoped, deletable
    app = serve_artifacts(mock, ArtifactSigner(ttl))
    app = allow_loopback_pages(app)  # the docs site's "Try it out" (make docs-serve) calls it from a browser
    seed_id = seed_bodies(bundle())[SEED_EXAMPLES[0]]["data"]["instanceId"]
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    url = base_url(sock)
    curl = shlex.join(["curl", "-sS", "-H", f"Authorization: Bearer {key}", f"{url}/instances/{seed_id}"])
    print(f"Mock Currents API on {url}", flush=True)
    print(f"API key: {key}", flush=True)
    print(f"Try: {curl}", flush=True)
    world = mock.backend.world
    print("Projects (id: name, runs):", flush=True)
    for project in sorted(world.projects.values(), key=lambda p: p.project_id):
        runs = sum(1 for r in world.runs.values() if r.project_id == project.project_id)
        print(f"  {project.project_id}: {project.name}, {runs} run{'' if runs == 1 else 's'}", flush=True)
    print(
        f"A generated run of {len(generated.claimed_ids)} instances: {generated.run_id}"
        f" (project {world.runs[generated.run_id].project_id})",
        flush=True,
    )
    print("Press Ctrl-C to stop.", flush=True)
    serve_forever(app, sock, stop=STOP)


if __name__ == "__main__":
    run(main)
