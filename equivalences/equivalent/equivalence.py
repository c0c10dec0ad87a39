"""The answer to "are A and B the same algorithm?" with its certificate: :class:`Equivalence` (plain data; decided in
:mod:`.verdict`, and call by call in :mod:`.calls`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..declare import Method
from .closure import Closure
from .witness import Difference


@dataclass
class Equivalence:
    """The answer to "are A and B the same algorithm?", with its certificate."""

    a: Method
    b: Method
    verdict: str
    """``equivalent``, ``conditional`` (only where ``condition`` says), ``not-equivalent`` or ``undecided``."""
    route: str | None = None
    """``joint`` (the joint system's closure, this module) or ``eq1-maps`` (both proved instances of Eq. (1)
    whose maps coincide under the conversion's relation)."""
    relation: dict = field(default_factory=dict)
    """B's hyperparameters in A's (text), when they are not simply the same names."""
    relation_source: str = "same names"
    shift: int = 0
    """A's step ``t`` is B's step ``t + delta + shift`` (``delta = t0_B - t0_A``: both counted from their start)."""
    closure: Closure | None = None
    witness: Difference | None = None
    condition: Condition | None = None
    reason: str | None = None
    notes: list = field(default_factory=list)
    transfer: tuple | None = None
    conversion_said: str | None = None
    """What ``verify convert A --to B`` answers where its relation could not be proved here (a condition on A's
    schedules, a recurrence): reported, not claimed."""
    components: dict = field(default_factory=dict)
    """Each component of ``condition`` -> what A is there: ``momentum``, or ``memoryless``/``static`` (a degenerate
    special case: plain SGD, or no motion)."""
    substitution: tuple | None = None
    """``(constants, schedules)`` substituted into B (keys: B's objects, A's where the names are shared)."""
    special: list = field(default_factory=list)
    """``[(label, Equivalence)]``: special cases of A that B contains with another relation (A's schedules held
    constant), each proved."""
    compared: Method | None = None
    """B as compared (names unified with A's, the relation substituted, renumbered by ``shift``)."""
    numeric: dict | None = None

    def __repr__(self) -> str:
        """``<Equivalence heavy-ball vs sgd-nesterov: equivalent (joint, conversion)>``: one line, the verdict."""
        how = ", ".join(x for x in (self.route, self.relation_source if self.equivalent else None) if x)
        extra = f"; witness at step {self.witness.step}" if self.witness is not None and not self.equivalent else ""
        return f"<Equivalence {self.a.key} vs {self.b.key}: {self.verdict}" + (f" ({how})" if how else "") + extra + ">"

    @property
    def equivalent(self) -> bool:
        return self.verdict == "equivalent"

    @property
    def delta(self) -> int:
        return self.b.t0 - self.a.t0 + self.shift

    @property
    def ok(self) -> bool:
        """Exit 0: equivalent, and (with a replay) replayed with the control rejected."""
        return self.equivalent and (self.numeric is None or bool(self.numeric.get("passed")))

    def to_json(self) -> dict:
        s = sp.sstr
        cl = self.closure
        return {
            "a": self.a.key, "b": self.b.key, "verdict": self.verdict, "route": self.route,
            "relation": dict(self.relation), "relation_source": self.relation_source,
            "step_offset": self.delta, "shift": self.shift,
            "proof": None if cl is None or not cl.holds else {
                "identities": [{"name": i.name, "residual": s(i.residual), "holds": i.holds} for i in cl.identities],
                "functionals": [s(f) for f in cl.functionals],
                "degenerate": [f"{s(f)} = 0" for f in cl.degenerate]},
            "witness": None if self.witness is None else self.witness.to_json(),
            "condition": None if self.condition is None else self.condition.to_json(),
            "components": dict(self.components),
            "special_cases": [{"when": label, "relation": dict(sc.relation)} for label, sc in self.special],
            "reason": self.reason, "notes": list(self.notes),
            "transfer_function": None if self.transfer is None else {"a": s(self.transfer[0]), "b": s(self.transfer[1])},
            "numeric": self.numeric,
        }
