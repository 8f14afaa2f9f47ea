"""The embedded mock Currents API: `GET /v1/instances/{instanceId}` served from the fixture corpus.

Scope: a raw ASGI application (`app.create_app`) answering from `contract_tests/fixtures` and the
spec's two seed examples, with Bearer keys from `keys.yaml`; `server.serve_in_thread` runs it
under uvicorn on loopback for tests and `make contract`; `python -m contract_tests.mock_api`
runs it in the foreground. It is a test double, never a stand-in for the real API's behaviour
beyond what the spec documents.
"""
