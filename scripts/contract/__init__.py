"""The contract check (`make contract`): spec, generated client and API agree. `main` holds the whole story.

Modules, in the order a run uses them: `target` (the live API or the mock), `discovery` (live ids), `documents`
(what schemathesis checks), `registry` (what the spec's markers say of each operation), `settings` (the
contract's own bodies, live pins and clean-up), `plan`, `fetch` and `drift` (the calls of every operation, sent,
decoded and inspected), `schemathesis_run` (the two `st run`s), `summary` (reports/summary.md); `record` saves a live
answer as a fixture (`make record`).
"""

from kit._cli import ROOT

REPORTS = ROOT / "reports"
CONFIG = ROOT / "schemathesis.toml"
