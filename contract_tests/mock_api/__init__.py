"""The embedded mock Currents API: every operation of the spec, over one seeded world that keeps state.

Layout, as moto's fakes are laid out:
- the world: `entities.py` (projects, runs, instances, the `World`), `run_bodies.py` (a run's body derived
  from its instances), `executions.py` (the tests of completed instances, which every derived view counts),
  and its seed: `seed.py` builds it from `contract_tests/fixtures`, the spec's seed examples and a seeded
  generator, `settings_seed.py` adds actions, webhooks and GitHub Actions workflow runs;
- the state: `backend.py` (`MockBackend`, with `project_settings.py` as its `settings`) owns the world and
  every change to it, in domain terms: plain arguments in (`filters.py`, `pagination.py` hold their types
  and Currents' listing rules), entities out, and the domain errors of `errors.py`. It knows no HTTP;
- the HTTP layer: `resources/` has one module per resource (projects, runs, instances, explorers, results,
  actions, webhooks, analytics); each handler reads the request (`resources/params.py`, and
  `resources/settings_validation.py` for bodies), calls the backend and builds the answer. A new resource
  is a module listed in `app.RESOURCES`. `rest.py` is the shared HTTP vocabulary, and maps the domain
  errors to their statuses in one place;
- `app.py` (`create_app`) mounts them on Starlette; `middleware.py` keeps the guarantees every operation
  shares (authentication first, ids from the raw path, never a 5xx).
- `keys.py` reads `keys.yaml` (demo keys with projects and scopes); `journal.py` records what the mock saw.
- `server.py` runs it under uvicorn on loopback for tests and `make contract`; `python -m
  contract_tests.mock_api` (`make mock`) runs it in the foreground.

It is a test double, never a stand-in for the real API's behaviour beyond what the spec documents.
"""
