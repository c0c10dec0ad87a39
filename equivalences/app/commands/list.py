"""``verify list``: the methods it knows."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MethodList:
    rows: list

    def to_json(self):
        return self.rows


def configure(p) -> None:
    p.add_argument("--json", action="store_true", help="print the list as JSON")


def run(args) -> int:
    from ... import registry
    from ..output import emit

    rows = []
    for name in registry.names():
        m = registry.get(name)
        rows.append({"method": name, "name": m.name, "reference": m.reference, "section": m.section,
                     "summary": m.summary})
    emit(MethodList(rows), "json" if args.json else "text")
    return 0
