"""The verdict (state-space route first, then the trajectory route) and the condition under which a method outside
the family is inside (the two recurse into each other)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..algebra import settable_factors
from ..declare import Method
from ..outcome import Outcome
from ..derive import Map, NotInFamily, derive
from ..prove import Proof, prove
from ..system import StepSystem, undefined_under
from .reachable import invariant_identities, invariants, reduced_method
from .specialise import specialised
from .witness import Witness, _with_example, find_witness, recurrence_identities


@dataclass
class Condition:
    """Where a method outside the family in general is inside: components ``factor = 0``, proved both ways
    (inside: a proved map; outside: the witness is non-zero off the factors, and each factor that is not
    a component has a witness of its own, explored in turn up to ``depth`` constants deep)."""

    inside: list = field(default_factory=list)   # [("sym = value", Verdict)]: in the family there (proved)
    outside: list = field(default_factory=list)  # [("sym = value", Verdict)]: still outside (its own witness)
    untested: list = field(default_factory=list)  # factors that could not be set (schedules, not solvable)
    truncated: bool = False
    undefined: list = field(default_factory=list)  # [("sym = value", why)]: the declaration is undefined there

    def conjunctions(self) -> list[frozenset]:
        """Each component as a set of equations that hold together; none contains another."""
        comps = [frozenset([label]) for label, _ in self.inside]
        for label, v in self.outside:
            if v.condition is not None:
                comps += [c | {label} for c in v.condition.conjunctions()]
        out = []
        for c in sorted(set(comps), key=lambda c: (len(c), sorted(c))):
            if not any(o <= c for o in out):
                out.append(c)
        return out

    def components(self) -> list[str]:
        return [" and ".join(sorted(c)) for c in self.conjunctions()]

    @property
    def exact(self) -> bool:
        return (not self.untested and not self.truncated
                and all(v.condition is not None and v.condition.exact for _, v in self.outside))

    @property
    def text(self) -> str | None:
        parts = self.components()
        gaps = "".join(f"; at {label} the declaration itself is undefined ({why})" for label, why in self.undefined)
        if not parts:
            return gaps[2:] or None
        if self.exact:
            return (f"in the family exactly when {' or '.join(parts)} (each proved in the family; everywhere "
                    f"else a witness coefficient is non-zero){gaps}")
        return (f"in the family when {' or '.join(parts)} (each proved); outside wherever the witness "
                f"coefficient is non-zero{gaps}")

    def to_json(self) -> dict:
        return {"text": self.text, "exact": self.exact, "in_family_when": self.components(),
                "maps": [{"when": f, v.map.form.buffers[0].name: sp.sstr(v.map.momentum),
                          **{c.json_key: sp.sstr(e) for c, e in v.map.coefficients()}} for f, v in self.inside],
                "untested": [sp.sstr(f) for f in self.untested],
                "undefined": [{"when": label, "why": why} for label, why in self.undefined]}


def condition(method: Method, w: Witness, depth: int = 3) -> Condition:
    """Try every factor of the witness (and of its pivot) that involves constants only: set it to 0, decide
    (and explore the condition of a component that is still outside, ``depth - 1`` deep)."""
    cond = Condition()
    for f, sym, value in settable_factors((w.coefficient, w.valid_where), method.constants, depth, cond):
        undefined = undefined_under(method, lambda e: sp.sympify(e).subs(sym, value))  # noqa: B023
        if undefined is not None:  # the declaration cannot be run there: neither inside nor outside
            cond.undefined.append((f"{sym} = {sp.sstr(value)}", undefined))
            continue
        v = decide(specialised(method, sym, value), depth=depth - 1)
        if v.in_family:
            cond.inside.append((f"{sym} = {sp.sstr(value)}", v))
        elif v.witness is not None:
            cond.outside.append((f"{sym} = {sp.sstr(value)}", v))
        else:
            cond.untested.append(f)
    return cond


# -- the verdict -------------------------------------------------------------------------------
@dataclass
class Verdict:
    """What the engine concludes about a declaration, with its certificate."""

    method: Method
    route: str
    """``state-space`` (the map holds on every state) or ``trajectory`` (on the reachable states)."""
    map: Map | None = None
    proof: Proof | None = None
    proved_on: Method | None = None
    """The declaration the map and proof are written for: the method itself, or its reduced form."""
    system: StepSystem | None = None
    invariants: list = field(default_factory=list)
    reason: str | None = None
    witness: Witness | None = None
    condition: Condition | None = None

    @property
    def in_family(self) -> bool:
        return self.map is not None

    @property
    def outcome(self) -> Outcome:
        if self.in_family:
            return Outcome.IN_FAMILY
        return Outcome.UNDECIDED if self.witness is None else Outcome.NOT_IN_FAMILY

    @property
    def refusal_text(self) -> str | None:
        if self.in_family:
            return None
        if self.outcome is Outcome.UNDECIDED:
            return (f"undecided: no map was found ({self.reason}) and no witness against Eq. (1) within the "
                    f"unrolled steps; the engine does not claim the method is outside the family")
        out = f"{self.witness.sentence()}. (The state-space route: {self.reason}.)"
        if self.condition is not None and self.condition.text:
            out += f" Condition: {self.condition.text}."
        return out

    def not_in_family_json(self) -> dict | None:
        if self.in_family:
            return None
        return {"reason": self.refusal_text,
                "witness": None if self.witness is None else self.witness.to_json(),
                "condition": None if self.condition is None else self.condition.to_json()}


def decide(method: Method, system: StepSystem | None = None, *, conditions: bool = True, depth: int = 3) -> Verdict:
    """State-space route first (fast path); when it refuses, the trajectory route decides."""
    system = system or StepSystem(method)
    try:
        mp = derive(method, system)
        return Verdict(method, "state-space", mp, prove(method, mp, system), method, system)
    except NotInFamily as err:
        return trajectory_route(method, system, str(err), conditions=conditions, depth=depth)


def trajectory_route(method: Method, system: StepSystem | None = None, reason: str = "", *,
                     conditions: bool = True, depth: int = 3) -> Verdict:
    """The trajectory route alone: invariants, then the map derived and proved on the reduced declaration
    (the declaration itself when there is no invariant); failing that, a witness (and its condition)."""
    system = system or StepSystem(method)
    invs = invariants(method, system)
    reduced = reduced_method(method, system, invs) if invs else method
    rsys = StepSystem(reduced) if invs else system
    try:
        mp = derive(reduced, rsys)
    except NotInFamily as err:
        if invs:
            err = f"on the reachable states ({', '.join(i.statement() for i in invs)}): {err}"
        reason = f"{reason}; {err}" if reason and invs else (reason or str(err))
    else:
        proof = prove(reduced, mp, rsys)
        proof.identities += invariant_identities(method, system, invs)
        if invs:  # the map read off the unrolled trajectory of the declaration itself agrees
            proof.identities += recurrence_identities(method, system, mp)
        mp.degenerate += _invariant_degenerate(invs)
        return Verdict(method, "trajectory", mp, proof, reduced, rsys, invs)
    w = find_witness(method, system)
    if w is None:  # not unrolled linearly (a state-dependent step, a sign plus a gradient step): probe the scaling
        from ..scaling import scaling_witness

        w = scaling_witness(method, system)
    if w is not None:
        w = _with_example(method, w)
    cond = condition(method, w, depth) if (w is not None and conditions) else None
    return Verdict(method, "trajectory", reason=reason, witness=w, condition=cond, invariants=invs)


def _invariant_degenerate(invs) -> list[dict]:
    out = []
    for inv in invs:
        _, fs = sp.factor_list(sp.denom(sp.together(inv.value)))
        for f, _ in fs:
            if not f.is_number:
                out.append({"condition": f"{f} = 0", "factor": f, "map_undefined": True,
                            "effects": [f"the invariant {inv.statement()} is undefined there"]})
    return out
