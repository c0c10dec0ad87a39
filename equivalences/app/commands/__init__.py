"""The ``verify`` subcommands.  Each module exposes ``HELP`` (one line), ``configure(parser)`` (its
arguments) and ``run(args) -> int`` (the exit code: 0 ok, 1 a check failed, 2 a usage error); results
go through :func:`equivalences.app.output.emit`.  Heavy imports happen inside ``run``."""
from __future__ import annotations

import importlib

COMMANDS = ("check", "list", "libraries", "mutations", "appendix", "paper-claims", "identify", "merge", "convert",
            "equivalent", "family")
"""In the order ``verify --help`` lists them; ``verify NAME`` is short for ``verify check NAME``."""


def load(name: str):
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}")


class UsageError(Exception):
    """A mistake in the command line; the message names the problem and the fix (exit 2)."""


def parse_sets(items) -> dict:
    """``["beta=0.9"]`` -> ``{"beta": "0.9"}`` (values stay text; the method parses them exactly)."""
    sets = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--set {item}: write NAME=VALUE, e.g. --set beta=0.9")
        k, v = item.split("=", 1)
        if not k.strip():
            raise UsageError(f"--set {item}: the name is missing; write NAME=VALUE, e.g. --set beta=0.9")
        k, v = k.strip(), v.strip()
        if k in sets:
            raise UsageError(f"--set {k} is given twice ({k}={sets[k]} and {k}={v}); give each name once")
        sets[k] = v
    return sets
