"""The one output layer: every command hands a plain result to :func:`emit`.

A result is a dataclass with ``to_json()``; its terminal view is a function registered with
:func:`~equivalences.app.views.formatter` (the terminal views live in :mod:`equivalences.app.render`, the
LaTeX ones in :mod:`equivalences.app.appendix`).  JSON is always ``result.to_json()`` -- strict: non-finite numbers
become null.  Terminal output is readable at any width from 60 columns up: tables fold long cells
instead of cutting them, and every user-visible string goes through :func:`esc` so that rich never
reads text such as ``'.[libs]'`` as markup.
"""
from __future__ import annotations

import json

from .views import MIN_WIDTH, console, esc, formatter, grid, json_safe, print_rows, table, view

__all__ = ["emit", "MIN_WIDTH", "console", "esc", "formatter", "grid", "json_safe", "print_rows", "table"]


def emit(result, fmt: str = "text", out=None) -> None:
    """Print ``result`` as ``fmt`` (``"text"`` or ``"json"``) on stdout (or the rich console ``out``)."""
    if fmt == "json":
        print(json.dumps(json_safe(result.to_json()), indent=2, allow_nan=False))
        return
    from . import render  # noqa: F401 -- registers the terminal views

    fn = view(result, fmt)
    if fn is None:
        raise TypeError(f"no {fmt} view registered for {type(result).__name__}")
    fn(result, out or console())
