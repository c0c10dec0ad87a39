"""The method unrolled from its start, and the witness term that breaks rule (a), (b) or (c) of the package doc."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import canonical, linear_coefficients, nice
from ..declare import Method
from ..derive import Map, NotInFamily, direction_of
from ..prove import Identity
from ..symbols import t
from ..system import StepSystem, start_symbols


ONE = sp.Integer(1)


# -- witnesses ----------------------------------------------------------------------------------
@dataclass
class Witness:
    """At step ``step``, ``expression`` depends on ``term`` with ``coefficient``: Eq. (1) cannot produce it."""

    step: int
    term: sp.Expr
    coefficient: sp.Expr
    expression: str
    rule: str
    ratio: sp.Expr | None = None
    valid_where: sp.Expr = ONE
    """The witness needs this to be non-zero too (the pivot of rule (b)); 1 when nothing is needed."""
    values: dict = field(default_factory=dict)
    value: sp.Expr | None = None
    """The coefficient at ``values`` (exact, non-zero)."""
    isolated: dict = field(default_factory=dict)
    """Values imposed at single steps to find this witness (an isolated degenerate step)."""

    def sentence(self) -> str:
        at = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        fixed = "".join(f" with {k} = {v}" for k, v in self.isolated.items())
        where = f" (e.g. {self.value} at {at})" if self.value is not None and at else ""
        rel = ""
        if isinstance(self.term, AppliedUndef) and self.term.args[0].is_Integer:
            lag = self.step - int(self.term.args[0])
            rel = f" (the gradient of step t - {lag})" if lag else " (the gradient of step t)"
        return (f"at step t = {self.step}{fixed}, {self.expression} depends on {self.term}{rel} with coefficient "
                f"{sp.sstr(self.coefficient)}{where}, which Eq. (1) cannot produce: {self.rule}")

    def to_json(self) -> dict:
        s = sp.sstr
        return {"step": self.step, "term": s(self.term), "coefficient": s(self.coefficient),
                "expression": self.expression, "rule": self.rule,
                "ratio": None if self.ratio is None else s(self.ratio),
                "valid_where_nonzero": s(self.valid_where),
                "values": {k: s(v) for k, v in self.values.items()},
                "value": None if self.value is None else s(self.value),
                "isolated": {s(k): s(v) for k, v in self.isolated.items()}}


class _Field:
    """Exact arithmetic for the unrolled coefficients: the rational functions of the constants and of
    the schedule values at concrete steps (sympy's sparse fraction field; much faster than ``cancel``)."""

    def __init__(self, exprs):
        from sympy import QQ
        from sympy.polys.fields import field

        apps = sorted({a for e in exprs for a in sp.sympify(e).atoms(AppliedUndef)}, key=sp.default_sort_key)
        self.to_dummy = {a: sp.Dummy(str(a)) for a in apps}
        self.back = {d: a for a, d in self.to_dummy.items()}
        gens = sorted({s for e in exprs for s in sp.sympify(e).xreplace(self.to_dummy).free_symbols},
                      key=sp.default_sort_key)
        self.K, *_ = field(gens or [sp.Dummy("unused")], QQ)

    def __call__(self, expr):
        return self.K.from_expr(sp.sympify(expr).xreplace(self.to_dummy))

    def expr(self, element) -> sp.Expr:
        return sp.sympify(element.as_expr()).xreplace(self.back)


def _step_tables(method: Method, system: StepSystem):
    """The direction ``D_t = Delta_t . S_t + delta_t u_t`` and the step ``M_t``, ``b_t`` of the variables it
    reads (closed under the step), symbolic in ``t``; None when not linear."""
    try:
        K, D, post = direction_of(method, system)
    except NotInFamily:
        return None
    needed, frontier = [], [a.func for a in D.atoms(AppliedUndef) if a.func in system.state]
    while frontier:
        s = frontier.pop()
        if s not in needed:
            needed.append(s)
            frontier += [a.func for a in system.F[s].atoms(AppliedUndef) if a.func in system.state]
    S, u = [s(t) for s in needed], system.input(t)
    try:
        dc, rest = linear_coefficients(D, S + [u])
        if rest != 0:
            return None
        rows = []
        for s in needed:
            fc, rest = linear_coefficients(system.F[s], S + [u])
            if rest != 0:
                return None
            rows.append(([fc[x] for x in S], fc[u]))
    except ValueError:
        return None
    return needed, [dc[x] for x in S], dc[u], rows, K, post


def unroll(method: Method, system: StepSystem, steps: int, fixed: dict | None = None):
    """Yield ``(k, D_k)`` for ``k = t0, t0 + 1, ...``: the direction of step ``k`` as a linear form
    ``{atom: coefficient}`` over the gradients ``u(j)`` and the start (symbols, or ``s(t0)`` when a start
    value is not declared), coefficients in :class:`_Field`.  ``fixed`` pins single schedule values
    (``{gamma(3): 0}``).  Returns None when the direction is not linear in them."""
    cache = system.__dict__.setdefault("_trajectory_tables", {})  # one derivation of the tables per system
    if method.query not in cache:
        cache[method.query] = _step_tables(method, system)
    tables = cache[method.query]
    if tables is None:
        return None
    needed, Delta, delta, rows, K, post = tables
    fixed, t0, u = fixed or {}, method.t0, system.input
    ks = range(t0, t0 + steps + 1)
    at = lambda e, k: sp.sympify(e).subs(t, k).xreplace(fixed)  # noqa: E731
    starts = sorted(start_symbols(method, system), key=sp.default_sort_key)
    init = {s: system.init.get(s(t0), s(t0)) for s in needed}
    exprs = [at(e, k) for k in ks for e in [*Delta, delta, *[x for r, b in rows for x in (*r, b)]]]
    start_forms = {}
    for s, v in init.items():
        try:
            coeffs, rest = linear_coefficients(v, starts + [s(t0)])
        except ValueError:
            return None
        start_forms[s] = {**{a: c for a, c in coeffs.items() if c != 0}, **({ONE: rest} if rest != 0 else {})}
        exprs += list(start_forms[s].values())
    F = _Field(exprs)
    value = {s: {a: F(c) for a, c in form.items()} for s, form in start_forms.items()}

    def combine(coeffs, b, k):
        out: dict = {}
        for c, s in zip(coeffs, needed):
            c = F(at(c, k))
            if c == 0:
                continue
            for a, x in value[s].items():
                out[a] = out.get(a, 0) + c * x
        bb = F(at(b, k))
        if bb != 0:
            out[u(k)] = bb
        return {a: x for a, x in out.items() if x != 0}

    def gen():
        nonlocal value
        for k in ks:
            d = combine(Delta, delta, k)
            value = {s: combine(r, b, k) for s, (r, b) in zip(needed, rows)}
            yield k, d

    return gen(), K, post, F


def _age(atom, u) -> float:
    return atom.args[0] if isinstance(atom, AppliedUndef) and atom.func == u and atom.args[0].is_Integer else -1e9


def _newest(form: dict, u):
    return max(form, key=lambda a: (_age(a, u), sp.default_sort_key(a)))


def find_witness(method: Method, system: StepSystem, steps: int | None = None,
                 fixed: dict | None = None) -> Witness | None:
    """The first term, step by step from the start, that breaks rule (a), (b) or (c) of the module doc."""
    steps = steps if steps is not None else len(system.state) + 4
    got = unroll(method, system, steps, fixed)
    if got is None:
        return None
    directions, K, post, F = got
    u, q = system.input, method.query.__name__
    linear = post is None and K == 1
    sign = -1 if linear else 1
    older: dict = {}
    for k, d in directions:
        older[k] = P = {a: c for a, c in d.items() if a != u(k)}
        if k < method.t0 + 1:
            continue
        what = (f"{q}({k + 1}) - {q}({k})" if linear
                else f"the direction D_{k} inside {post.name if post else ''}(...) of step {k}")
        if u(k - 1) not in P and P:
            a = _newest(P, u)
            return Witness(k, a, nice(sign * F.expr(P[a])), what,
                           f"it has no {u(k - 1)} term, and the older terms of Eq. (1) arrive only through "
                           f"m_a({k - 1}), which holds {u(k - 1)} with coefficient 1", isolated=dict(fixed or {}))
        if k < method.t0 + 2:
            continue
        prev = older[k - 1]
        pivot = prev.get(u(k - 2))
        if pivot is None:
            continue
        if u(k - 1) in P and u(k - 2) not in P:
            return Witness(k, u(k - 1), nice(sign * F.expr(P[u(k - 1)])), what,
                           f"it has a {u(k - 1)} term but no {u(k - 2)} term, while step {k - 1} has a {u(k - 2)} "
                           f"term; in Eq. (1) both come from eta_a,{k}*beta_a,{k}*m_a({k - 1}), and "
                           f"m_a({k - 1}) holds {u(k - 2)} with coefficient beta_a,{k - 1} != 0",
                           valid_where=nice(F.expr(pivot)), isolated=dict(fixed or {}))
        lam = P.get(u(k - 2), 0) / pivot
        rest = {a: P.get(a, 0) - lam * prev.get(a, 0) for a in set(P) | set(prev) if a not in (u(k - 1), u(k - 2))}
        rest = {a: c for a, c in rest.items() if c != 0}
        if rest:
            a = _newest(rest, u)
            prev_what = (f"{q}({k}) - {q}({k - 1})" if linear else f"D_{k - 1}")
            ratio = nice(F.expr(lam))
            return Witness(k, a, nice(sign * F.expr(rest[a])), f"{what} - lambda*({prev_what})",
                           f"lambda = {sp.sstr(ratio)} matches the {u(k - 2)} terms, and Eq. (1) makes the "
                           f"older terms of step {k} that multiple of those of step {k - 1}",
                           ratio=ratio, valid_where=nice(F.expr(pivot)), isolated=dict(fixed or {}))
    return None


def recurrence_identities(method: Method, system: StepSystem, mp: Map, steps: int = 2) -> list[Identity]:
    """The map read off the unrolled trajectory, step by step, against the derived one (both routes agree).

    Under Eq. (1) the direction of step ``k`` has ``u_k`` coefficient ``B_k = eta_k + alpha_k``, ``u_(k-1)``
    coefficient ``c_k = eta_k beta_k``, and its older part is ``A_k = eta_k beta_k / eta_(k-1)`` times that of
    step ``k - 1`` (the three-term recurrence ``q_(k+1) = q_k + A_k (q_k - q_(k-1)) - B_k g_k + C_k g_(k-1)``
    for a linear method).  Each is compared exactly with the map at ``k = t0 + 2, ...``."""
    got = unroll(method, system, steps + 2)
    if got is None:
        return []
    directions, K, post, F = got
    u, t0 = system.input, method.t0
    directions = dict(directions)
    at = lambda e, k: F(sp.sympify(e).subs(t, k))  # noqa: E731
    out = []
    for k in range(t0 + 2, t0 + steps + 2):
        d, prev = directions[k], directions[k - 1]
        pivot = prev.get(u(k - 2))
        observed = {"B": d.get(u(k), 0), "c": d.get(u(k - 1), 0)}
        expected = {"B": at(mp.eta_a + mp.alpha_a, k), "c": at(mp.eta_a * mp.beta_a, k)}
        if pivot is not None:
            observed["A"] = d.get(u(k - 2), 0) / pivot
            expected["A"] = at(mp.eta_a * mp.beta_a, k) / at(mp.eta_a, k - 1)
        for name, value in observed.items():
            r = F.expr(value - expected[name])
            out.append(Identity(f"read off the trajectory: {name}_{k}", sp.Symbol(f"{name}_{k}"),
                                F.expr(expected[name]), r, r == 0))
    return out


def example_values(method: Method, exprs, avoid=()) -> tuple[dict, list] | None:
    """Exact values of the symbols and schedule values in ``exprs`` at which every ``exprs`` is finite and
    non-zero: the method's defaults first, then small distinct rationals.  ``(values, evaluated)``."""
    exprs = [sp.sympify(e) for e in exprs]
    atoms = sorted({a for e in exprs for a in e.atoms(AppliedUndef)} |
                   {s for e in exprs for s in e.free_symbols}, key=sp.default_sort_key)
    defaults = dict(method.defaults)
    consts = {k: v for k, v in defaults.items() if isinstance(k, sp.Symbol)}

    def default(a):
        if isinstance(a, sp.Symbol):
            return consts.get(a)
        body = defaults.get(a.func)
        if body is None:
            return None
        v = sp.sympify(body).subs(t, a.args[0]).subs(consts)
        return v if v.is_Rational else None

    tries = [{a: default(a) for a in atoms}]
    primes = [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(2, 5), sp.Rational(3, 7), sp.Rational(5, 11),
              sp.Rational(7, 13), sp.Rational(4, 17), sp.Rational(9, 19), sp.Rational(6, 23), sp.Rational(10, 29)]
    for shift in range(4):
        tries.append({a: primes[(i + 3 * shift) % len(primes)] for i, a in enumerate(atoms)})
    for values in tries:
        values = {a: (v if v is not None else primes[i % len(primes)]) for i, (a, v) in enumerate(values.items())}
        got = [canonical(e.xreplace(values)) for e in exprs]
        if all(g.is_number and g.is_finite and g != 0 for g in got):
            return values, got
    return None


def _with_example(method: Method, w: Witness) -> Witness:
    found = example_values(method, [w.coefficient, w.valid_where])
    if found is not None:
        w.values = {str(a): v for a, v in found[0].items()}
        w.value = found[1][0]
    return w
