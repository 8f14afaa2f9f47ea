"""The pipeline, by subsystem: `spec/` builds and checks the spec and the client, `versions/` holds the version
rules (the breaking-change guard), `release/` checks the release artifacts, `history/` checks the history store's
SQL on Spark, and the contract modules run the contract checks. Each make target is `python -m scripts.<sub>.<x>`.

Arrows run one way: `spec/` and `versions/` import no other part of `scripts/`; `release/` and the contract modules
import `spec/`; nothing here imports `tests/` (tests/test_layers.py holds that)."""
