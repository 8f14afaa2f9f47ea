"""`python -m scripts.contract`: the entry point of `make contract` (`scripts.contract.main`)."""

from kit._cli import run
from scripts.contract.main import main

run(main)
