"""``verify equivalent A --all``: A against every registered method, each match classified (equals A, contains a
special case of A, or only a degenerate one)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..declare import Method
from .verdict import Equivalence, component_dynamics, equivalent


@dataclass
class Match:
    """One method of a search: how it relates to A (``equals``, ``contains`` a special case of A, or only a
    ``degenerate`` special case) and its certificate."""

    name: str
    kind: str
    result: Equivalence
    components: dict = field(default_factory=dict)
    """component -> ``momentum`` / ``memoryless`` / ``static`` (A there)."""

    def to_json(self) -> dict:
        return {"method": self.name, "kind": self.kind, "components": dict(self.components),
                "special_cases": [label for label, _ in self.result.special],
                "result": self.result.to_json()}


@dataclass
class Search:
    """``verify equivalent A --all``: every other method, classified."""

    a: Method
    matches: list
    others: list
    """``[(name, verdict)]`` of the methods that never coincide with A (or are undecided)."""
    seconds: float = 0.0

    def __repr__(self) -> str:
        return f"<Search {self.a.key}: {', '.join(f'{m.name} ({m.kind})' for m in self.matches) or 'no match'}>"

    def to_json(self) -> dict:
        return {"a": self.a.key, "matches": [m.to_json() for m in self.matches],
                "others": [{"method": n, "verdict": v} for n, v in self.others], "seconds": round(self.seconds, 2)}


def search(a: Method, methods) -> Search:
    """Decide A against each of ``methods`` (``[(name, Method)]``) and classify the matches."""
    import time

    start = time.perf_counter()
    matches, others = [], []
    for name, b in methods:
        if b is a or b.key == a.key:
            continue
        r = equivalent(a, b)
        if r.equivalent:
            matches.append(Match(name, "equals", r))
            continue
        comps = component_dynamics(a, r.condition) if r.condition is not None else {}
        real = [c for c, k in comps.items() if k == "momentum"] + [label for label, _ in r.special]
        if real:
            matches.append(Match(name, "contains", r, comps))
        elif comps:
            matches.append(Match(name, "degenerate", r, comps))
        elif r.conversion_said:
            matches.append(Match(name, "by-conversion", r))
        else:
            others.append((name, r.verdict))
    return Search(a, matches, others, time.perf_counter() - start)
