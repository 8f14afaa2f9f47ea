"""A Griffe extension of the documentation site (mkdocs.yml, mkdocstrings `extensions:`): the docstrings of the
generated `iterate` and `aiterate` functions, made valid Google style before mkdocstrings parses them.

Their template (generator/templates/endpoint_module.py.jinja, the `Args:` and `Raises:` of the walk functions)
puts two sentences inside those sections, "The filters of `sync`, and:" and "The errors of `sync`, for the page
that failed.". Google style reads every line there as an item, so the site listed "The filters of `sync`, and"
as a parameter and Griffe warned (which fails the strict build). This moves each sentence out of its section
into the prose, word for word, and leaves every other docstring alone; once the template says it so itself, it
finds nothing to move.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Function

FILTERS = re.compile(r"^Args:\n    (The filters of `\w+`), and:\n", re.MULTILINE)
ERRORS = re.compile(r"^    (The errors of `\w+`), for the page that failed\.\n?", re.MULTILINE)


def move_sentences_out_of_sections(text: str) -> str:
    """The docstring with the two walk sentences moved from `Args:` and `Raises:` into its prose."""
    text = FILTERS.sub(lambda m: f"It takes {m.group(1)[0].lower()}{m.group(1)[1:]}, and these:\n\nArgs:\n", text)
    errors = ERRORS.search(text)
    if errors is None:
        return text
    text = ERRORS.sub("", text).rstrip("\n")
    return f"{text}\n\nIt also raises {errors.group(1)[0].lower()}{errors.group(1)[1:]}, for the page that failed."


class WalkDocstrings(Extension):
    def on_function_instance(self, *, func: Function, **kwargs: Any) -> None:
        if func.name in ("iterate", "aiterate") and func.docstring is not None:
            func.docstring.value = move_sentences_out_of_sections(func.docstring.value)
