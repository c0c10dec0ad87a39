"""The registry of result views, and the terminal's building blocks every view uses.

A view is a function ``fn(result, console)`` registered with :func:`formatter` for a result type -- a class,
or its qualified name (``"equivalences.app.pipeline.Report"``): a view module registers its views without
importing the module that defines the result, so that the views (:mod:`equivalences.app.render`) sit below
the commands that produce the results and :mod:`equivalences.app.output`, which emits them.  Nothing of the
application is imported here.
"""
from __future__ import annotations

import math
from typing import Callable

_FORMATTERS: dict[tuple[type, str], Callable] = {}
MIN_WIDTH = 60


def formatter(kind, fmt: str):
    """Register ``fn(result, console)`` as the ``fmt`` view (``"text"``) of results of type ``kind`` -- a class,
    or its qualified name (``"numeric.identify.identification.Identification"``): the views are registered without
    importing the module of the result (one that imports torch, or a command that emits through the views)."""
    def register(fn):
        _FORMATTERS[(kind, fmt)] = fn
        return fn
    return register


def console(width: int | None = None, stderr: bool = False):
    """A rich console: the terminal's width (or $COLUMNS, 80 in a pipe), never below :data:`MIN_WIDTH`."""
    from rich.console import Console

    c = Console(highlight=False, soft_wrap=False, stderr=stderr, width=width)
    if c.width < MIN_WIDTH:
        c = Console(highlight=False, soft_wrap=False, stderr=stderr, width=MIN_WIDTH)
    return c


def esc(s) -> str:
    """``s`` as literal text inside rich markup."""
    from rich.markup import escape

    return escape(str(s))


def json_safe(x):
    """Strict JSON: a non-finite float (a run that diverged alone) becomes null."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    return x


def table(*columns, min_widths: dict | None = None, **kw):
    """A rich table whose cells fold instead of being cut (``…``)."""
    from rich.table import Table

    tab = Table(**kw)
    for col in columns:
        tab.add_column(col, overflow="fold", min_width=(min_widths or {}).get(col))
    return tab


def print_rows(console, headers, rows, title: str | None = None) -> None:
    """A table where it fits the console at its natural width; otherwise one wrapped line per row
    (``first-cell  header: value · header: value``), so that no name is ever split or cut."""
    tab = table(*headers, title=title)
    for row in rows:
        tab.add_row(*row)
    if console.measure(tab, options=console.options.update_width(1 << 16)).maximum <= console.width:
        console.print(tab)
        return
    if title:
        console.print(f"[bold]{title}[/]")
    for row in rows:
        cells = [f"{h}: {v}" for h, v in zip(headers[1:], row[1:]) if v not in ("", None)]
        console.print(f"[bold]{row[0]}[/]  " + " · ".join(cells))


def grid(columns: int = 2, padding=(0, 2), first_style: str | None = "dim"):
    """A borderless two-column layout (label, content) whose cells fold."""
    from rich.table import Table

    tab = Table.grid(padding=padding)
    for i in range(columns):
        tab.add_column(style=first_style if i == 0 else None, overflow="fold")
    return tab


def view(result, fmt: str):
    """The ``fmt`` view registered for ``result``'s type (or a base class of it), or None."""
    for kind in type(result).__mro__:
        fn = _FORMATTERS.get((kind, fmt)) or _FORMATTERS.get((f"{kind.__module__}.{kind.__qualname__}", fmt))
        if fn is not None:
            return fn
    return None


def registered(fmt: str = "text") -> list:
    """Every result type (a class or its qualified name) with a ``fmt`` view."""
    return [kind for kind, f in _FORMATTERS if f == fmt]
