"""Conversion between two methods of a larger family (issue 19 item 5; docs/convert.md, "Beyond Eq. (1)").

``verify convert A --to B`` where A or B lies outside Eq. (1): which values of B's hyperparameters trace A's
query points.  Each method's smallest family and its map there come from :func:`.smallest.place` (proved).
Two linear methods with constant coefficients trace the same points for every gradient sequence only if their
gradient responses agree, ``H[k, s] = h(k - s)``, i.e. their increments' transfer functions are equal:

    F_A(z) = F_B(z),   F(z) = alpha + sum_i eta^(i) z / (z - beta^(i))   (a k-momentum form),

which is matching their family maps -- the same buffers (decay rates and weights, in any order; two buffers of
one decay rate merge, a buffer of weight 0 is none) and the same ``alpha``; and for any linear filter the same
numerator and denominator.  Written ``N_A D_B - N_B D_A = 0`` as a polynomial in ``z``, each coefficient is an
equation in B's constants (the unknowns) over the field of A's; solved exactly (``sympy.solve``), every solution
is a relation (the buffers swapped is another).  No solution: an exact Groebner basis ``[1]`` is the proof that
none exists for generic values of A ("never", with the equation that cannot hold); a solution that needs one of
A's constants fixed is a condition on A ("conditional").  Schedules are held at constants for the solve and put
back at the step they are read (as :mod:`.smallest` does).  Every relation is then **proved** by the joint route
(:func:`equivalences.equivalent.equivalent` with the relation): the same query points for every gradient
sequence, from the same start.  Nothing is claimed without that proof.

Symbolic only (no numeric code); the replay at given values is in :mod:`equivalences.app.commands.convert`."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..algebra import nice
from ..declare import Method
from ..symbols import t

DOMAIN_PROVED = "proved inside TO's domain"


@dataclass
class Branch:
    """One relation: where it holds (``fixed``: FROM's constants set to values, ``((c, v), ...)``, or None:
    everywhere), TO's hyperparameters in FROM's, its proof, TO's free hyperparameters, and its conditions as text."""

    fixed: tuple | None
    relation: dict
    proof: object
    free: list
    conditions: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"condition": " and ".join(self.conditions) or None,
                "hyperparameters": {_key(k): sp.sstr(nice(v)) for k, v in self.relation.items()},
                "proof": {"verdict": self.proof.verdict, "route": self.proof.route}, "free": list(self.free)}


@dataclass
class FamilyConversion:
    """FROM -> TO in their common family: the relation (TO's hyperparameters in FROM's), proved, or why not."""

    from_: str
    to: str
    exists: str  # always | conditional | never | undecided
    family: str = ""  # the family both are compared in (the larger of the two smallest families)
    from_family: str = ""
    to_family: str = ""
    from_map: dict = field(default_factory=dict)
    to_map: dict = field(default_factory=dict)
    relation: dict = field(default_factory=dict)  # TO's Symbol/Function -> expression in FROM's
    conditions: list = field(default_factory=list)  # text: on FROM's hyperparameters, or TO's domain
    branches: list = field(default_factory=list)  # every proved Branch (the buffers in another order, other conditions)
    proof: object = None  # the Equivalence with the relation
    reason: str = ""
    witness: str = ""
    notes: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)  # FROM's values given
    values: dict | None = None  # TO's exact values there
    holds_at_values: bool | None = None
    failure_at_values: str = ""
    numeric: dict | None = None

    @property
    def ok(self) -> bool:
        if self.exists not in ("always", "conditional"):
            return False
        if self.settings and not self.holds_at_values:
            return False
        return self.numeric is None or bool(self.numeric.get("passed"))

    def to_json(self) -> dict:
        s = sp.sstr
        return {"from": self.from_, "to": self.to, "exists": self.exists, "route": "family",
                "family": self.family, "from_family": self.from_family, "to_family": self.to_family,
                "from_map": {k: s(v) for k, v in self.from_map.items()},
                "to_map": {k: s(v) for k, v in self.to_map.items()},
                "hyperparameters": {_key(k): s(nice(v)) for k, v in self.relation.items()},
                "condition": " and ".join(self.conditions) or None,
                "branches": [b.to_json() for b in self.branches],
                "proof": None if self.proof is None else {"verdict": self.proof.verdict, "route": self.proof.route},
                "reason": self.reason or None, "witness": self.witness or None, "notes": list(self.notes),
                "values": None if self.values is None else {_key(k): s(v) for k, v in self.values.items()},
                "numeric": self.numeric}

    def __repr__(self) -> str:
        return f"<FamilyConversion {self.from_} → {self.to}: {self.exists} ({self.family or 'no family'})>"


def _key(k) -> str:
    return k.name if isinstance(k, sp.Symbol) else f"{k.__name__}(t)"


def _frozen(method: Method):
    """(method with schedules held at constants, {constant: schedule(t)})."""
    if not method.schedules:
        return method, {}
    from ..equivalent import constant_schedules

    m_c = constant_schedules(method)
    return m_c, dict(zip(m_c.constants[len(m_c.constants) - len(method.schedules):],
                         (f(t) for f in method.schedules)))


def _transfer(method: Method):
    from ..equivalent import linear_form
    from .transfer import increment_transfer

    return increment_transfer(linear_form(method))


_PLACED: dict = {}
"""Placements by the declaration's full text (a Method holds dicts: not hashable); a conversion table or a test
session places each method once."""


def _placed(method: Method, place):
    key = repr(method)
    if key not in _PLACED:
        if len(_PLACED) >= 64:
            _PLACED.clear()
        _PLACED[key] = place(method)
    return _PLACED[key]


def _map_of(p) -> dict:
    return dict(p.fit.coefficients) if p.fit is not None and p.fit.holds else {}


def outside_eq1(method: Method) -> bool:
    """Whether the engine finds ``method`` outside Eq. (1) (then ``verify convert`` takes the family route)."""
    from ..derivation import derivation
    from ..system import DeclarationError

    try:
        return derivation(method).map is None
    except DeclarationError:
        return False


def convert(from_m: Method, to_m: Method, settings: dict | None = None) -> FamilyConversion:
    """FROM -> TO through their family maps (module doc); ``settings``: FROM's values (``{Symbol: Rational}``)."""
    from ..equivalent import NotLinear, equivalent, related, unify
    from .smallest import place

    out = FamilyConversion(from_m.key, to_m.key, "undecided")
    pa, pb = _placed(from_m, place), _placed(to_m, place)
    out.from_family = pa.family.title if pa.family else pa.sentence()
    out.to_family = pb.family.title if pb.family else pb.sentence()
    out.from_map, out.to_map = _map_of(pa), _map_of(pb)
    if pa.family is None or pb.family is None:
        out.reason = "no family with a proved map for " + " and ".join(
            m.key for m, p in ((from_m, pa), (to_m, pb)) if p.family is None)
        return out
    big = max(pa, pb, key=lambda p: p.family.order)
    out.family = big.family.title
    b_u = unify(to_m, from_m)
    a_c, a_back = _frozen(from_m)
    b_c, b_back = _frozen(b_u)
    unknowns = {c: sp.Dummy(c.name) for c in b_c.constants}
    try:
        FA = _transfer(a_c)
        FB = _transfer(related(b_c, unknowns, {}))
    except NotLinear as err:
        out.reason = f"not a linear method with constant coefficients ({err}): the transfer functions do not apply"
        return out
    if FA is None or FB is None:
        out.reason = "coefficients that move with the step (other than declared schedules): not decided here"
        return out
    eqs = _equations(FA, FB)
    unknown = list(unknowns.values())
    branches = [(None, sol) for sol in _solve(eqs, unknown)]
    if not branches:
        seen = []
        for c in a_c.constants:  # one of FROM's constants fixed: a condition on FROM (every such branch)
            for sol in _solve(eqs, unknown + [c]):
                v = sol.get(c)
                if v is None or v == c or sp.sympify(v).free_symbols & set(unknown):
                    continue
                if sp.sympify(v).is_number and c in a_c.domain and not a_c.domain[c].contains(v):
                    continue  # a degenerate value outside FROM's domain (b1 = 1)
                key = sp.factor(sp.numer(sp.together(c - v)))
                if any(sp.simplify(key - k) == 0 or sp.simplify(key + k) == 0 for k in seen):
                    continue
                seen.append(key)
                branches.append((((c, v),), {d: sp.sympify(x).xreplace({c: v}) for d, x in sol.items() if d != c}))
    eliminated = None
    if not branches:  # several of FROM's constants fixed at once: the equations' elimination ideal
        eliminated = _eliminated(eqs, unknown, a_c)
        branches = eliminated or []
    if not branches:
        out.witness, proved = _never_witness(eqs, unknowns, a_c, FA, FB, pa, pb)
        everywhere = eliminated == []  # the elimination ideal is [1], or each of its points is outside FROM's domain
        out.exists = "never" if proved and everywhere and not (from_m.schedules or to_m.schedules) else "undecided"
        out.reason = (f"no values of {to_m.key}'s hyperparameters give {from_m.key}'s transfer function"
                      + (" for any values of its hyperparameters in its domain (the equations' elimination ideal in "
                         f"{from_m.key}'s constants has no point there)" if out.exists == "never" else
                         " for generic values of its hyperparameters, and whether some values of them make it "
                         "possible is not decided (no elimination ideal)" if proved and not everywhere else
                         " (with the schedules held constant)" if proved else
                         " was found, but no proof that none exists")
                      + f": {out.witness}")
        return out
    inv = {d: c for c, d in unknowns.items()}
    proved = []
    for fixed, sol in branches:
        rel = {}
        for d, c in inv.items():
            if d in sol:  # else free: TO's own value works
                v = sp.factor(sp.sympify(sol[d]).xreplace(a_back).xreplace(inv))  # a free one: TO's own value
                if fixed is not None and len(fixed) == 1 and _zero(v - fixed[0][1]):
                    v = fixed[0][0]  # written as FROM's constant the condition fixes
                rel[b_back[c].func if c in b_back else c] = v
        a = from_m
        if fixed is not None:
            from ..trajectory import specialised

            for c, v in fixed:
                a = specialised(a, c, v)
        on_a = rel if fixed is None else {k: sp.sympify(v).xreplace(dict(fixed)) for k, v in rel.items()}
        try:
            e = equivalent(a, b_u, on_a, conversion=False, shifts=False, conditions=False)
        except NotLinear as err:
            out.reason = f"the relation is not proved ({err})"
            return out
        free = [c.name for c in b_c.constants if unknowns[c] not in sol]
        proved.append(Branch(fixed, rel, e, free))
    good = [b for b in proved if b.proof.equivalent]
    if not good:
        out.relation, out.proof = proved[0].relation, proved[0].proof
        out.reason = ("the relation found with the schedules held constant is not proved on the methods: "
                      + (proved[0].proof.reason or proved[0].proof.verdict))
        return out
    for b in good:
        b.conditions = [f"{c} = {sp.sstr(nice(v))}" for c, v in b.fixed or ()] \
            + _domain_conditions(from_m, to_m, b.relation)
    first = good[0]
    out.branches = good
    out.relation, out.proof, out.conditions = first.relation, first.proof, first.conditions
    if first.free:
        out.notes.append(f"free (any value works): {', '.join(first.free)}")
    out.exists = "conditional" if any(b.conditions for b in good) else "always"
    out.reason = (f"proved: {to_m.key} at these values traces {from_m.key}'s query points for every gradient "
                  "sequence (the joint system's closure)")
    if settings:
        for b in good:  # the first branch whose condition holds at the settings
            _at_settings(out, from_m, to_m, settings, b)
            if out.holds_at_values:
                break
    return out


def _eliminated(eqs, unknown: list, a_c: Method) -> list | None:
    """The branches where several of FROM's constants are fixed at once: the equations' elimination ideal in
    FROM's constants (a lex Groebner basis, TO's unknowns first) is where a solution exists; each of its points
    (solved for FROM's constants) inside FROM's domain, with TO's unknowns solved there, is a branch
    ``(((c, v), ...), solution)``.  ``[]``: none exists (the ideal is [1], or no point lies in the domain); None:
    not decided (the basis or the solve failed)."""
    consts = list(a_c.constants)
    try:
        G = sp.groebner([sp.numer(sp.together(e)) for e in eqs], *unknown, *consts, order="lex", domain=sp.QQ)
        elim = [e for e in G.exprs if not sp.sympify(e).free_symbols & set(unknown)]
        if elim == [1]:
            return []
        points = sp.solve(elim, consts, dict=True) if elim else []
    except Exception:  # noqa: BLE001 -- the elimination is extra: without it the answer is "not decided"
        return None
    out = []
    for point in points:
        if any(c in a_c.domain and sp.sympify(v).is_number and not a_c.domain[c].contains(v) for c, v in point.items()):
            continue  # a point outside FROM's domain (lr = 0)
        fixed = tuple(sorted(point.items(), key=lambda kv: sp.default_sort_key(kv[0])))
        for sol in _solve([sp.sympify(e).xreplace(point) for e in eqs], unknown):
            out.append((fixed, {d: sp.sympify(x).xreplace(point) for d, x in sol.items()}))
    return out


def _equations(FA, FB) -> list:
    from .transfer import z

    nA, dA = sp.fraction(sp.cancel(sp.together(FA)))
    nB, dB = sp.fraction(sp.cancel(sp.together(FB)))
    P = sp.Poly(sp.expand(nA * dB - nB * dA), z)
    return [sp.factor(c) for c in P.all_coeffs() if sp.expand(c) != 0]  # a Poly's coefficients: polynomials


def _solve(eqs, unknowns) -> list:
    if not eqs:
        return [{}]
    try:
        polys = [sp.expand(sp.numer(sp.together(e))) for e in eqs]  # expanded numerators: solve's fast path
        sols = sp.solve(polys, unknowns, dict=True, check=False, simplify=False)  # checked below, exactly
    except (NotImplementedError, ValueError):
        return []
    return [s for s in sols if all(_zero(sp.sympify(e).xreplace(s)) for e in eqs)]


def _zero(e) -> bool:
    """``e`` is identically 0 as a rational function (and defined: no zero denominator)."""
    num, den = sp.fraction(sp.together(e))
    return sp.expand(num) == 0 and sp.expand(den) != 0


def _never_witness(eqs, unknowns: dict, a_c, FA, FB, pa, pb) -> tuple[str, bool]:
    """Why no values of TO's constants give FROM's transfer function, and whether that is proved: the order (TO's
    family carries fewer numbers than FROM's exact minor needs), or the equations with their Groebner basis [1]
    (TO's unknowns written ``name_to``); unproved when the basis is not [1] (the solve found nothing, no more)."""
    named = {d: sp.Symbol(f"{c.name}_to") for c, d in unknowns.items()}
    unknowns = list(unknowns.values())
    if pb.family.order < pa.order and pb.bound is not None and pb.bound < pa.order:
        return (f"{pa.method.key}'s order is {pa.order} ({pa.order_witness.sentence() if pa.order_witness else 'the minor'}), "
                f"and {pb.method.key} carries at most {pb.bound} number(s) between steps (its own state)"), True
    proof = ""
    try:
        G = sp.groebner([sp.numer(sp.together(e)) for e in eqs], *unknowns, domain=sp.QQ.frac_field(*a_c.constants))
        if list(G.exprs) == [1]:
            proof = "; the equations' Groebner basis over the field of its hyperparameters is [1]: no solution"
    except Exception:  # noqa: BLE001 -- the basis is extra evidence; the solve has already found none
        proof = ""
    shown = "; ".join(f"{sp.sstr(sp.factor(e.xreplace(named)))} = 0" for e in eqs[:4])
    return (f"F(z) = {sp.sstr(sp.factor(FA))} for {pa.method.key}, {sp.sstr(sp.factor(FB.xreplace(named)))} for "
            f"{pb.method.key} (its hyperparameters written name_to); "
            f"equal only if {shown}{proof}"), bool(proof)


def _domain_conditions(from_m: Method, to_m: Method, rel: dict) -> list:
    """TO's domain at the relation's values: proved for every FROM value in FROM's domain where the value is one of
    FROM's constants with a domain inside TO's, or positive by its factors; otherwise a condition."""
    out = []
    for key, v in rel.items():
        if not isinstance(key, sp.Symbol):
            continue
        if sp.sympify(v).has(t) or sp.sympify(v).atoms(sp.core.function.AppliedUndef):
            out.append(f"{key.name} = {sp.sstr(v)} is the same for every t ({to_m.key}'s {key.name} is one number)")
        dom = to_m.domain.get(next((c for c in to_m.constants if c.name == key.name), key))
        if dom is None:
            continue
        if isinstance(v, sp.Symbol) and v in from_m.domain and from_m.domain[v].is_subset(dom):
            continue
        if dom == sp.Interval.open(0, sp.oo) and _positive(v, from_m):
            continue
        if dom == sp.Interval.open(0, 1) and _positive(v, from_m) and _positive(1 - v, from_m):
            continue
        out.append(f"{key.name} = {sp.sstr(v)} in {interval(dom)}")
    return out


def _positive(v, method: Method) -> bool:
    """``v > 0`` for every value of FROM's constants in their domains (each inside [0, 1) or (0, oo)): the constants
    written ``p/(1 + p)`` (``p >= 0``, or ``p > 0`` for (0, 1)) or ``p > 0``, and SymPy's sign rules on the result
    (False when they do not decide)."""
    rep = {}
    for c in sp.sympify(v).free_symbols:
        dom = method.domain.get(c)
        if dom is None:
            return False
        if dom.is_subset(sp.Interval.open(0, 1)):
            p = sp.Symbol(c.name + "_p", positive=True)
            rep[c] = p / (1 + p)
        elif dom.is_subset(sp.Interval.Ropen(0, 1)):
            p = sp.Symbol(c.name + "_p", nonnegative=True)
            rep[c] = p / (1 + p)
        elif dom.is_subset(sp.Interval.open(0, sp.oo)):
            rep[c] = sp.Symbol(c.name + "_p", positive=True)
        else:
            return False
    return bool(sp.factor(sp.sympify(v).xreplace(rep)).is_positive)


def interval(dom) -> str:
    """``(0, 1)``, ``[0, 1)``, ``(0, oo)``: a domain as it is written."""
    if isinstance(dom, sp.Interval):
        return f"{'(' if dom.left_open else '['}{sp.sstr(dom.start)}, {sp.sstr(dom.end)}{')' if dom.right_open else ']'}"
    return sp.sstr(dom)


def _at_settings(out: FamilyConversion, from_m: Method, to_m: Method, settings: dict, branch: Branch) -> None:
    """TO's exact values at FROM's settings on ``branch``; its condition and TO's domain decided there."""
    from ..declare import setting

    full = setting(from_m, settings)
    out.settings = dict(settings)
    out.relation, out.proof, out.conditions = branch.relation, branch.proof, branch.conditions
    consts = {k: v for k, v in full.items() if isinstance(k, sp.Symbol)}
    for c, v in branch.fixed or ():
        if sp.simplify(c.xreplace(consts) - sp.sympify(v).xreplace(consts)) != 0:
            out.holds_at_values = False
            out.failure_at_values = (f"at these values {c} = {consts.get(c)}, but the conversion needs "
                                     f"{c} = {sp.sstr(sp.sympify(v).xreplace(consts))}")
            return
    values = {}
    for key, v in out.relation.items():
        e = sp.sympify(v)
        for f in from_m.schedules:
            e = e.replace(lambda x, f=f: isinstance(x, sp.core.function.AppliedUndef) and x.func == f,
                          lambda x, f=f: sp.sympify(full[f]).subs(t, x.args[0]))
        values[key] = sp.factor(e.xreplace(consts))
    for key, v in list(values.items()):
        if not isinstance(key, sp.Symbol):
            continue
        if v.has(t):
            seen = {sp.simplify(v.subs(t, k)) for k in range(from_m.t0, from_m.t0 + 50)}
            if len(seen) > 1:
                out.holds_at_values = False
                out.failure_at_values = (f"at these values {key.name} = {sp.sstr(v)} would have to be the same at "
                                         f"every step, but it takes {len(seen)} values at t = {from_m.t0}.."
                                         f"{from_m.t0 + 49}")
                return
            values[key] = v = seen.pop()
        c = next((x for x in to_m.constants if x.name == key.name), key)
        dom = to_m.domain.get(c)
        if dom is not None and v.is_number and not dom.contains(v):
            out.holds_at_values = False
            out.failure_at_values = f"at these values {key.name} = {v}, outside {to_m.key}'s domain {interval(dom)}"
            return
    out.values, out.holds_at_values = values, True
