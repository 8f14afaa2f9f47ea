"""The embedded mock Currents API: every operation of the spec, over one seeded world that keeps state.

Layout, as moto's fakes are laid out:
- `world.py` builds the world (projects, runs, instances) from `contract_tests/fixtures`, the spec's seed
  examples and a seeded generator; `backend.py` (`MockBackend`) owns it and every change to it.
- `resources/` has one module per resource (projects, runs, instances, explorers, results); each handler
  reads the request and asks the backend. A new resource is a module listed in `app.RESOURCES`.
- `app.py` (`create_app`) mounts them on Starlette; `middleware.py` keeps the guarantees every operation
  shares (authentication first, ids from the raw path, never a 5xx); `rest.py` is the shared HTTP
  vocabulary; `pagination.py` and `filters.py` implement Currents' documented listing rules.
- `keys.py` reads `keys.yaml` (demo keys with projects and scopes); `journal.py` records what the mock saw.
- `server.py` runs it under uvicorn on loopback for tests and `make contract`; `python -m
  contract_tests.mock_api` (`make mock`) runs it in the foreground.

It is a test double, never a stand-in for the real API's behaviour beyond what the spec documents.
"""
