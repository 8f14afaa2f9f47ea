"""The kit's base layer: what the pipeline (scripts/), the mock (contract_tests/mock_api/), the bench and the
docs hooks share. It imports none of them, so every arrow points here.

- `_cli`: the project root, the one-line error, reading JSON strictly, and the exit status of every command.
- `yaml_files`: the one YAML loader (spec files, overlays, the fixture manifest, the mock's keys).
- `bundle`: the split source spec bundled into one self-contained OpenAPI document; JSON pointer tokens.
- `openapi`: JSON pointers, internal `$ref` chains and the operations (paths times methods) of a document.
- `overlays`: OpenAPI Overlay 1.0.x documents, applied strictly.
- `fixtures`: the fixture corpus, the recorded and hand-written responses of the API's operations.
- `scrub`: a secret scrubbed from text, bytes and data, in every form a server's echo of it may take.
"""
