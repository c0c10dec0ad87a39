"""The ``verify`` subcommands.  Each has its help line in :data:`HELPS`; its module exposes ``configure(parser)`` (its
arguments) and ``run(args) -> int`` (the exit code: 0 ok, 1 a check failed, 2 a usage error); results
go through :func:`equivalences.app.output.emit`.  Heavy imports happen inside ``run``."""
from __future__ import annotations

import importlib

HELPS = {
    "check": "prove a method is an instance of Eq. (1), check the paper, replay it (the default: verify NAME)",
    "list": "the methods verify knows (built in, plugins)",
    "libraries": "replay the optimizer classes of real libraries against the derived maps",
    "mutations": "feed deliberately wrong maps to the proof and the replay: each must be rejected",
    "appendix": "write a LaTeX appendix generated from the proofs (every '=' checked, errata for the paper)",
    "paper-claims": "every statement of the paper the tool checks (displayed and prose), with verdict, residual, correction",
    "identify": "identify a torch optimizer class by probing it: in the family of Eq. (1)? which method, at which settings?",
    "merge": "join the JSON of identify census shards (or single identify results) into one list",
    "convert": "convert hyperparameters between two methods exactly: always, under a condition, or never (with the reason)",
    "equivalent": "are two methods the same algorithm? a proof on the joint trajectory, or the first step where they differ",
    "family": "the smallest family a method lives in (plain SGD, Eq. (1), k momenta, a linear filter), its map, the proof",
}
"""Each command's help line: ``verify --help`` lists them without importing the modules, so a
run imports only the command it runs."""
COMMANDS = tuple(HELPS)
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
