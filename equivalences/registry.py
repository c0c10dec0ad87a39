"""The methods ``verify`` knows, by key, imported on first use."""
from __future__ import annotations

import difflib
import importlib

from .declare import Method

MODULES = {
    "schedule-free": "schedule_free",
    "lion": "lion",
    "heavy-ball": "heavy_ball",
    "sgd-nesterov": "sgd_nesterov",
    "qhm": "qhm",
    "agnes": "agnes",
    "asgd": "asgd",
    "mass": "mass",
    "nesterov-sgd": "nesterov_sgd",
    "mars": "mars",
    "ademamix": "ademamix",
    "simplified-ademamix": "simplified_ademamix",
    "accelerated-adamw": "accelerated_adamw",
    "schedule-free-adamw": "schedule_free_adamw",
}


class UnknownMethod(LookupError):
    def __init__(self, name: str):
        close = difflib.get_close_matches(name, list(MODULES), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "run 'verify list' to see them"
        super().__init__(f"unknown method {name!r}: {hint}")


def names() -> list[str]:
    return list(MODULES)


def get(name: str) -> Method:
    key = name.strip().lower().replace("_", "-")
    if key not in MODULES:
        raise UnknownMethod(name)
    return importlib.import_module(f".methods.{MODULES[key]}", __package__).METHOD
