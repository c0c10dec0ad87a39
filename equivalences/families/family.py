"""A family of methods as a value: its name, its order (the state it carries), its update in words, and how it
tries to hold a method (``fit``); and the two results, :class:`Fit` (one family's answer) and :class:`Placement`
(the smallest family, its map, the proof, and why no smaller family holds the method)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp


@dataclass(frozen=True)
class Family:
    key: str
    """``sgd``, ``eq1``, ``momentum-2``, ``filter-2``, ..."""
    title: str
    order: int
    """The state the family carries between steps (buffers; 0 for plain SGD): a method whose gradient response
    has semiseparable rank r lies in no family of order < r."""
    form: str
    """The update, in words."""
    fit: Callable
    """``fit(subject) -> Fit``: hold the method, with a proved map, or say why not."""


@dataclass
class Fit:
    """One family's answer: ``holds`` True (a map, proved), False (proved not to), None (not decided)."""

    holds: bool | None
    reason: str = ""
    coefficients: dict = field(default_factory=dict)
    """name -> expression (the map: the family's coefficients in the method's hyperparameters and ``t``)."""
    candidate: object = None
    """The family's member with those coefficients, declared as a Method (what the proof compares)."""
    proof: object = None
    """The :class:`~equivalences.equivalent.Equivalence` that proves the candidate equals the method."""
    notes: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"holds": self.holds, "reason": self.reason,
                "map": {k: sp.sstr(v) for k, v in self.coefficients.items()},
                "proof": None if self.proof is None else {"verdict": self.proof.verdict, "route": self.proof.route,
                                                           "not_covered": _not_covered(self.proof)},
                "notes": list(self.notes)}


def _not_covered(e) -> list:
    cl = getattr(e, "closure", None)
    return [] if cl is None else [f"{sp.sstr(f)} = 0" for f in cl.degenerate]


@dataclass
class Placement:
    """The smallest family of a method: the family, its map, the proof, and a witness against each smaller one."""

    method: object
    order: int | None
    """The semiseparable rank of the gradient response at the points judged (None: not a linear run)."""
    order_witness: object = None
    """:class:`~equivalences.families.order.Minor`: a non-zero r x r minor, exact (order >= r)."""
    family: Family | None = None
    fit: Fit | None = None
    below: list = field(default_factory=list)
    """The families of order < ``order``: the minor is the witness against each."""
    against: list = field(default_factory=list)
    """``[(Family, reason)]``: the other smaller families and why they do not hold the method (or why it is not
    decided); Eq. (1)'s exact finding on the run, also when the minor already refutes it."""
    bound: int | None = None
    """The method's own linear state (kept older gradients included): its order is at most this."""
    transfer: object = None
    """F(z): the query point's increment per gradient, ``q(t+1) - q(t) = -F(z) u`` (constant coefficients)."""
    notes: list = field(default_factory=list)
    transforms: str | None = None
    """The transforms around the family's member, in words (``sign(...) after (on the direction, times K_t =
    lr)``): the method is the member with them applied (:mod:`.transformed`); None for a linear method."""

    @property
    def query_transfer(self):
        """H(z) = c (zI - M)^(-1) b: the query point's response to the gradient, ``-F(z)/(z - 1)`` (what the
        transfer-function tools compare; constant coefficients, else None)."""
        if self.transfer is None:
            return None
        from .transfer import z

        return sp.factor(sp.cancel(-self.transfer / (z - 1)))

    @property
    def proved(self) -> bool:
        return self.fit is not None and self.fit.holds is True

    @property
    def status(self) -> str:
        if self.proved:
            return "map proved"
        if self.family is not None:
            return "order proved, map not in closed form"
        return "undecided"

    def sentence(self) -> str:
        """One line: the family, the order, the proof status."""
        if self.family is None:
            why = self.fit.reason if self.fit else "; ".join(self.notes) or "not a linear method"
            if self.order is None:
                return f"no family decided ({why})"
            upto = f", at most {self.bound} (its own state)" if self.bound is not None else ""
            return f"no family with a proved map: order at least {self.order} (the minor){upto}; {why}"
        gaps = _not_covered(self.fit.proof) if self.proved and self.fit.proof is not None else []
        around = f", with {self.transforms}" if self.transforms else ""
        return (f"{self.family.title}{around} ({self.status}" + (f"; not covered: {', '.join(gaps)}" if gaps else "")
                + ")")

    def to_json(self) -> dict:
        return {"method": self.method.key, "family": None if self.family is None else self.family.key,
                "family_title": None if self.family is None else self.family.title,
                "form": None if self.family is None else self.family.form,
                "order": self.order, "order_bound": self.bound, "status": self.status,
                "order_witness": None if self.order_witness is None else self.order_witness.to_json(),
                "fit": None if self.fit is None else self.fit.to_json(),
                "transfer_function": None if self.transfer is None else sp.sstr(self.transfer),
                "query_transfer_function": None if self.transfer is None else sp.sstr(self.query_transfer),
                "below_order": [f.key for f in self.below],
                "against": [{"family": f.key, "title": f.title, "reason": r} for f, r in self.against],
                "transforms": self.transforms, "notes": list(self.notes)}
