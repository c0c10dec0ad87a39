"""The verdict: equivalent (same names, a given relation, the conversion's relation, or a shift of the step index),
conditional (components proved both ways), not equivalent (a witness) or undecided."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import settable_factors
from ..declare import Method
from ..symbols import t
from ..trajectory import Condition as _FamilyCondition
from ..trajectory import specialised
from .calls import equivalent_calls, probes_dropped, reused
from .closure import prove_joint
from .equivalence import Equivalence
from .joint import Joint, NotLinear, joint, mentions_time, name_of as _name, related, renumbered, unify
from .witness import Difference, _with_values, dynamics, first_difference


@dataclass
class Condition(_FamilyCondition):
    """Where A and B coincide although they differ in general: components ``factor = 0``, proved both ways (each
    component proved equivalent; off every factor the witness difference is non-zero)."""

    equations: dict = field(default_factory=dict)
    """label -> ``(symbol, value)`` of each component tried."""

    def all_equations(self) -> dict:
        out = dict(self.equations)
        for _, v in self.outside:
            if v.condition is not None:
                out.update(v.condition.all_equations())
        return out

    @staticmethod
    def joined(conj) -> str:
        return " and ".join(sorted(conj)) if len(conj) == 1 else "(" + " and ".join(sorted(conj)) + ")"

    def components(self) -> list[str]:
        return [self.joined(c) for c in self.conjunctions()]

    @property
    def text(self) -> str | None:
        parts = self.components()
        if not parts:
            return None
        if self.exact:
            return (f"equivalent exactly when {' or '.join(parts)} (each proved; everywhere else the witness "
                    f"coefficients differ)")
        return f"equivalent when {' or '.join(parts)} (each proved); different wherever the witness coefficients differ"

    def to_json(self) -> dict:
        return {"text": self.text, "exact": self.exact, "equivalent_when": self.components(),
                "untested": [sp.sstr(f) for f in self.untested]}


def _transfer(J: Joint):
    if J.a.constant and J.b_.constant:
        return J.a.transfer_function(), J.b_.transfer_function()
    return None


def _joint_verdict(a: Method, b: Method, b_cmp: Method, **kw) -> tuple[Equivalence, Joint]:
    J = joint(a, b_cmp)
    try:
        cl = prove_joint(J)
    except ValueError as err:  # a coefficient outside the rational functions (a Piecewise, a root)
        raise NotLinear(f"a coefficient is not a rational function of the step and the hyperparameters ({err})") from None
    e = Equivalence(a, b, "equivalent" if cl.holds else "not-equivalent", "joint", closure=cl, compared=b_cmp,
                    transfer=_transfer(J), **kw)
    evaluated = [m.key for m in (a, b) if m.evaluate is not None]
    if evaluated:
        e.notes.append(f"the query points are compared; {' and '.join(evaluated)} also return(s) an evaluation "
                       "sequence (a weight average), which is not")
    return e, J


def equivalent(a: Method, b: Method, relation: dict | None = None, *, conversion: bool = True,
               shifts: bool = True, conditions: bool = True, depth: int = 2) -> Equivalence:
    """Decide whether ``a`` and ``b`` trace the same query points (module doc).

    ``relation`` (optional) ties B's hyperparameters to A's: ``{B's symbol or schedule: expression}``.  Without
    it, the same names are the same values; when that fails and both are instances of Eq. (1), the relation
    the conversion machinery finds (:func:`equivalences.convert.convert`) is substituted and proved on the
    joint trajectory.  Then B renumbered by one step either way (a shift of the step index); then the
    conditions under which they coincide."""
    if getattr(a, "calls", ()) or getattr(b, "calls", ()):  # several gradient calls per step: compared call by call
        e = equivalent_calls(a, b, relation)
        if e.witness is not None:
            e.notes += reused(a, b, equivalent) + reused(b, a, equivalent)
            e.notes += probes_dropped(a, b, equivalent) + probes_dropped(b, a, equivalent)
        return e
    b1 = unify(b, a)
    source = "same names"
    if relation:
        consts = {k: v for k, v in relation.items() if isinstance(k, sp.Symbol)}
        scheds = {k: v for k, v in relation.items() if not isinstance(k, sp.Symbol)}
        b1 = related(b1, consts, scheds)
        source = "given"
    text = {_name(k) + ("" if isinstance(k, sp.Symbol) else "(t)"): sp.sstr(v) for k, v in (relation or {}).items()}
    try:
        e, J = _joint_verdict(a, b, b1, relation_source=source, relation=text,
                              substitution=(consts, scheds) if relation else None)
    except NotLinear as err:
        return _by_maps(a, b, str(err))
    if e.equivalent:
        return e
    try:
        w = first_difference(J, 2 * J.n + 6)
    except ValueError:  # not rational at a concrete step either
        w = None
    if w is None:
        return replace(e, verdict="undecided", reason=(
            f"the closure check failed ({e.closure.failed.name}) but no difference was found within "
            f"{2 * J.n + 6} unrolled steps; the engine does not claim they differ"))
    e.witness = w = _with_values(w, a, b1)
    e.reason = w.sentence(a.key, b.key)
    if shifts and mentions_time(b1):
        for s in (1, -1):
            try:
                r, _ = _joint_verdict(a, b, renumbered(b1, s), shift=s, relation_source=source, relation=text,
                                      substitution=e.substitution)
            except NotLinear:
                continue
            if r.equivalent:
                r.notes.insert(0, f"counted from their first steps they differ: {e.reason}")
                return r
    if conversion and not relation:
        r, note = _by_conversion(a, b, b1)
        if r is not None and r.equivalent:
            r.notes.insert(0, f"with the same names they differ: {e.reason}")
            return r
        if note:
            e.notes.append(note)
            conv = _conversion(a, b)
            if conv is not None and conv.exists == "conditional":
                e.conversion_said = conv.condition
    if conditions:
        cond = condition(a, b1, w, depth)
        if cond.components():
            e.condition, e.verdict = cond, "conditional"
            e.components = component_dynamics(a, cond)
        if conversion and not relation and a.schedules:
            a_c = constant_schedules(a)
            r, _ = _by_conversion(a_c, b, unify(b, a_c))
            if r is not None and r.equivalent:
                label = " and ".join(f"{f.__name__}(t) = {f.__name__}" for f in a.schedules)
                e.special.append((f"{a.key}'s schedules constant ({label})", r))
                e.verdict = "conditional"
    return e


def constant_schedules(method: Method) -> Method:
    """``method`` with every schedule held at a constant of the same name (a special case of it)."""
    from ..trajectory import specialised_schedule

    taken = {s.name for s in method.constants} | {s.name for s in method.defaults if isinstance(s, sp.Symbol)}
    out, new = method, []
    for f in method.schedules:
        c = sp.Symbol(f.__name__ if f.__name__ not in taken else f"{f.__name__}_c")
        body = sp.sympify(method.defaults.get(f, 0)).subs(t, method.t0)
        out = specialised_schedule(out, f(t), c)
        new.append((c, body))
    return replace(out, key=f"{method.key}[constant schedules]", constants=tuple(out.constants) + tuple(c for c, _ in new),
                   defaults={**dict(out.defaults), **{c: v for c, v in new}})


def condition(a: Method, b: Method, w: Difference, depth: int = 2) -> Condition:
    """Each factor of the witness difference in the constants only, set to 0 (solved for one constant), decided
    again on both methods (and explored ``depth - 1`` deeper where they still differ)."""
    cond = Condition()
    for f, sym, value in settable_factors((w.difference,), set(a.constants) | set(b.constants), depth, cond):
        v = equivalent(specialised(a, sym, value), specialised(b, sym, value), conversion=False, shifts=False,
                       depth=depth - 1)
        label = f"{sym} = {sp.sstr(value)}"
        cond.equations[label] = (sym, value)
        if v.equivalent:
            cond.inside.append((label, v))
        elif v.witness is not None:
            cond.outside.append((label, v))
        else:
            cond.untested.append(f)
    return cond


_CONVERSIONS: dict = {}


def _conversion(a: Method, b: Method):
    """``verify convert A --to B`` (once per pair of declarations), or None when it does not apply."""
    from ..convert import convert

    key = (id(a), id(b))
    if key not in _CONVERSIONS or _CONVERSIONS[key][0] is not a or _CONVERSIONS[key][1] is not b:
        try:
            conv = convert(a, b)
        except Exception:  # noqa: BLE001 -- not both instances of Eq. (1) (or a usage error): no relation from there
            conv = None
        _CONVERSIONS[key] = (a, b, conv)
    return _CONVERSIONS[key][2]


def _relation_of(conv, a: Method, b: Method):
    """The conversion's formulas as substitutions into B (A's objects for A's names), or None when a constant's
    formula varies with the step (then it is a condition, not a relation)."""
    inv = conv.inverse
    back = {new: old for old, new in conv.renamed.items()}
    a_syms = {s.name: s for s in a.constants} | {s.name: s for s in a.defaults if isinstance(s, sp.Symbol)}
    a_funcs = {f.__name__: f for f in a.schedules}

    def in_a(expr):
        e = sp.sympify(expr)
        e = e.xreplace({s: a_syms.get(back.get(s.name, s.name), s) for s in e.free_symbols if s != t})
        for app in sorted(e.atoms(AppliedUndef), key=sp.default_sort_key):
            f = a_funcs.get(back.get(app.func.__name__, app.func.__name__))
            if f is not None and f != app.func:
                e = e.xreplace({app: f(*app.args)})
        return e

    consts, scheds = {}, {}
    for c in b.constants:
        if c.name in inv.constants:
            v = in_a(inv.constants[c.name])
            if v.has(t) or v.atoms(AppliedUndef):
                return None
            consts[c] = v
    for f in b.schedules:
        if f.__name__ in inv.schedules:
            scheds[f] = in_a(inv.schedules[f.__name__])
    return consts, scheds


def _by_conversion(a: Method, b: Method, b1: Method):
    """Both in Eq. (1): the relation of ``verify convert A --to B``, substituted into B and proved jointly.
    ``(Equivalence or None, a note on what the conversion said)``."""
    conv = _conversion(a, b)
    if conv is None or conv.exists == "never":
        return None, None
    said = f"verify convert {a.key} --to {b.key}: {conv.exists}" + (f" ({conv.condition})" if conv.condition else "")
    rel = _relation_of(conv, a, b1)
    if rel is None:
        return None, f"{said}; a constant of {b.key} would have to follow the step there: not a relation"
    text = _relation_text(conv)
    try:
        e, _ = _joint_verdict(a, b, related(b1, *rel), relation=text, relation_source="conversion", substitution=rel)
    except NotLinear:
        return None, None
    if not e.equivalent:
        return None, f"{said}; with that relation the joint check fails too ({e.closure.failed.name})"
    if conv.renamed:
        e.notes.append("in the relation, " + ", ".join(f"{new} is {a.key}'s {old}" for old, new in conv.renamed.items()))
    if conv.condition:
        e.notes.append(f"{b.key}'s domain at the relation needs: {conv.condition}")
    return e, None


def _relation_text(conv) -> dict:
    """The conversion's formulas as text (they are SymPy expressions or strings, by version), namesakes left out."""
    out = {}
    for k, v in conv.hyperparameters.items():
        v = v if isinstance(v, str) else sp.sstr(v)
        if not _same_name(k, v):
            out[k] = v
    return out


def _same_name(key: str, value: str) -> bool:
    """``beta -> beta_from`` or ``eta(t) -> eta_from(t)``: B's hyperparameter is A's namesake (no relation to say)."""
    base = key[:-3] if key.endswith("(t)") else key
    return value in (key, base, f"{base}_from", f"{base}_from(t)", f"{base}(t)")


def _by_maps(a: Method, b: Method, why: str) -> Equivalence:
    """A method with a transform: both proved instances of Eq. (1) whose maps coincide (the conversion's
    relation, confirmed by substituting it back into the map equations), or the conversion's answer."""
    conv = _conversion(a, b)
    if conv is None:
        return Equivalence(a, b, "undecided", reason=f"{why}; the joint proof needs linear steps, and the two are "
                           "not both instances of Eq. (1) whose maps could be compared")
    rel = _relation_text(conv)
    if conv.exists == "always":
        return Equivalence(a, b, "equivalent", "eq1-maps", relation=rel, relation_source="conversion",
                           notes=[f"{why}: decided by their proved maps onto Eq. (1), which coincide at this relation "
                                  f"(verify convert {a.key} --to {b.key})"])
    if conv.exists == "conditional":
        return Equivalence(a, b, "conditional", "eq1-maps", relation=rel, relation_source="conversion",
                           reason=f"their maps onto Eq. (1) coincide only when {conv.condition}", notes=[why])
    return Equivalence(a, b, "not-equivalent", "eq1-maps", reason=conv.reason, notes=[why])


def component_dynamics(a: Method, cond: Condition) -> dict:
    """Each component of ``cond`` -> what A is there (:func:`dynamics`): a component where A is ``static`` or
    ``memoryless`` is only a degenerate special case (both methods reduce to plain SGD, or do not move)."""
    eqs = cond.all_equations()
    out = {}
    for conj in cond.conjunctions():
        m = a
        for label in sorted(conj):
            sym, value = eqs[label]
            m = specialised(m, sym, value)
        try:
            out[cond.joined(conj)] = dynamics(m)
        except NotLinear:
            out[cond.joined(conj)] = "momentum"
    return out
