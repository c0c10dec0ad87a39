"""The trajectory route: verdicts about what a method *does*, not how it is written.

The state-space route (:mod:`equivalences.derive`) asks the identities of Eq. (1) to hold on *every*
state.  A method written with redundant state (Schedule-Free with the parameter ``y`` kept as a third
buffer, heavy ball unrolled by one step) only visits a subspace of its states, and is refused there.
This module decides on the states the method can actually reach from its start.

**Invariants.**  The step map is linear, ``S_(t+1) = M_t S_t + b_t u_t``, and the start
``S_t0 = s_0`` is linear in the start symbols (``theta_0``, ...).  The reachable states span
``R = span{s_0, b_t, M_t s_0, M_t b_s, ...}``, computed as the closure of the start and input
directions under ``M_t`` (every vector split into constant vectors, one per monomial of the free
atoms: schedule values, start symbols, ``t``).  Every constant ``c`` with ``c . R = 0`` is a linear
invariant: ``c . S_t = 0`` on every trajectory.  Each invariant is solved for one variable, which
becomes a definition; the *reduced* declaration is the same method on fewer state variables.  The
invariants are then proved (``c . S_t0 = 0`` at the start, and ``c . F_t(S) = 0`` modulo all of them:
induction on reachable states), and the map is derived and proved on the reduced declaration.

**Witnesses.**  When no map is found, the method is unrolled from its start at concrete steps with
indexed gradient symbols ``u(t0), u(t0 + 1), ...``.  Write the step as ``q_(t+1) - q_t = -K_t
Post_t(D_t)`` (``D_t = q_t - q_(t+1)`` for a linear method).  Under Eq. (1) with any coefficients,
``D_t = eta_t m_t + alpha_t u_t`` and ``m_t = beta_t m_(t-1) + u_t``, so the part ``P_t`` of
``D_t`` older than ``u_t`` is ``c_t m_(t-1)`` (``c_t = eta_t beta_t``) and ``m_(t-1)`` holds
``u_(t-1)`` with coefficient 1.  Hence, for ``t >= t0 + 1``:

(a) if ``P_t`` has no ``u_(t-1)`` term, it has no older term either;
(b) for ``t >= t0 + 2``, if ``P_(t-1)`` has a ``u_(t-2)`` term (coefficient ``p = c_(t-1)``, so
    ``eta_(t-1) != 0`` and ``beta_(t-1) != 0``), the part of ``P_t`` older than ``u_(t-1)`` equals
    ``lambda P_(t-1)`` with ``lambda = P_t[u_(t-2)] / p``;
(c) in the same case, ``P_t[u_(t-2)] = c_t beta_(t-1)``: it vanishes exactly when ``P_t[u_(t-1)] = c_t``
    does.

A term that breaks (a), (b) or (c) is a *witness*: a step, a gradient (or start) term and its exact
coefficient, which no choice of ``beta_a, eta_a, alpha_a`` and start can produce.  Gradients are
free, so a coefficient that is a non-zero rational function is non-zero on a trajectory; the witness
also names exact hyperparameter values at which it is non-zero.

Nothing numeric is imported here (symbolic core).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import canonical, degree_in, is_zero, linear_coefficients, nice, offset, roots_in
from .declare import Method
from .derive import Map, NotInFamily, derive, direction_of
from .prove import Identity, Proof, prove
from .symbols import t
from .system import StepSystem, constant_symbols, start_symbols, undefined_under

ONE = sp.Integer(1)


# -- linear algebra over the field of the constant hyperparameters ------------------------------------
def _is_constant(expr, constants: set) -> bool:
    expr = sp.sympify(expr)
    return not expr.atoms(AppliedUndef) and expr.free_symbols <= constants


def split(vector, constants: set) -> list[list]:
    """Constant vectors whose span contains every value ``vector`` takes as its free atoms vary.

    The entries are brought over one denominator; the numerator, a polynomial in the free atoms
    (schedule values, start symbols, ``t``, powers with ``t`` in the exponent), gives one constant
    vector per monomial.  Treating related atoms as independent only enlarges the span (sound).
    """
    entries = [canonical(e) for e in vector]
    reps, k = {}, 0
    for e in entries:
        for a in sorted(e.atoms(AppliedUndef) | {p for p in e.atoms(sp.Pow) if not _is_constant(p.exp, constants)},
                        key=sp.default_sort_key):
            if a not in reps:
                reps[a] = sp.Dummy(f"a{k}")
                k += 1
    entries = [e.xreplace(reps) for e in entries]
    gens = sorted({s for e in entries for s in e.free_symbols if s not in constants}, key=sp.default_sort_key)
    den = sp.Integer(1)
    for e in entries:
        den = sp.lcm(den, sp.denom(e)) if gens else den
    out: dict = {}
    for i, e in enumerate(entries):
        num = sp.expand(sp.cancel(e * den)) if gens else e
        if num == 0:
            continue
        if gens:
            for mono, coeff in sp.Poly(num, *gens).terms():
                out.setdefault(mono, [sp.Integer(0)] * len(entries))[i] = coeff
        else:
            out.setdefault((), [sp.Integer(0)] * len(entries))[i] = num
    return [v for v in out.values() if any(x != 0 for x in v)]


class Echelon:
    """Rows in echelon form over the rational functions of the constants (exact, ``cancel``)."""

    def __init__(self, n: int):
        self.n, self.rows = n, {}  # pivot column -> row with 1 there

    def add(self, v) -> bool:
        v = [sp.cancel(x) for x in v]
        for p, row in self.rows.items():
            if v[p] != 0:
                f = v[p]
                v = [sp.cancel(a - f * b) for a, b in zip(v, row)]
        piv = next((i for i, x in enumerate(v) if x != 0), None)
        if piv is None:
            return False
        v = [sp.cancel(x / v[piv]) for x in v]
        for p, row in list(self.rows.items()):
            if row[piv] != 0:
                self.rows[p] = [sp.cancel(a - row[piv] * b) for a, b in zip(row, v)]
        self.rows[piv] = v
        return True

    @property
    def basis(self) -> list:
        return [self.rows[p] for p in sorted(self.rows)]


# -- invariants ----------------------------------------------------------------------------------
@dataclass
class Invariant:
    """``variable(t) = value`` on every reachable state (``value`` in the remaining state at ``t``)."""

    variable: type[sp.Function]
    value: sp.Expr

    def statement(self) -> str:
        return f"{self.variable(t)} = {sp.sstr(nice(self.value))}"


def linear_part(system: StepSystem) -> list:
    """The state variables whose steps are linear and read only each other (Lion's momentum, not its
    weights, which move by a sign): invariants are looked for among them."""
    S, u = system.at_base(), system.input(t)
    part = []
    for s in system.state:
        try:
            coeffs, rest = linear_coefficients(system.F[s], S + [u])
        except ValueError:
            continue
        if rest == 0:
            part.append((s, {x.func for x, c in coeffs.items() if x in S and c != 0}))
    keep = {s for s, _ in part}
    while True:
        drop = {s for s, reads in part if s in keep and not reads <= keep}
        if not drop:
            return [s for s in system.state if s in keep]
        keep -= drop


def linear_step(system: StepSystem, variables=None):
    """``(M_t, b_t)`` with ``F_t(S) = M_t S + b_t u_t`` for ``variables`` (rows and columns; they must
    read only each other); None if not linear."""
    variables = variables or system.state
    S, u = [s(t) for s in variables], system.input(t)
    rows, b = [], []
    for s in variables or system.state:
        try:
            coeffs, rest = linear_coefficients(system.F[s], S + [u])
        except ValueError:
            return None
        if rest != 0:
            return None
        rows.append([coeffs[x] for x in S])
        b.append(coeffs[u])
    return sp.Matrix(rows), sp.Matrix(b)


def invariants(method: Method, system: StepSystem) -> list[Invariant]:
    """The linear invariants of the reachable states, each solved for one variable (see module doc).

    Variables are eliminated in the order: the query point (if it is a state variable), the declared
    state in order, the kept previous gradients last."""
    state = linear_part(system)
    if not state:
        return []
    M, b = linear_step(system, state)
    consts, n = constant_symbols(method, system), len(state)
    start = [system.init.get(s(method.t0), s(method.t0)) for s in state]
    span, queue = Echelon(n), split(start, consts) + split(list(b), consts)
    while queue:
        v = queue.pop(0)
        if span.add(v):
            queue += split(list(M * sp.Matrix(v)), consts)
    if len(span.rows) == n:
        return []
    order = sorted(range(n), key=lambda i: (state[i] != method.query, state[i] in system.lags, i))
    R = sp.Matrix(span.basis) if span.rows else sp.zeros(1, n)
    null = R.nullspace()
    inv = Echelon(n)
    for c in null:
        inv.add([c[i] for i in order])  # columns permuted: the preferred variables become pivots
    out = []
    for p, row in sorted(inv.rows.items()):
        var = state[order[p]]
        value = -sum((row[j] * state[order[j]](t) for j in range(n) if j != p), sp.Integer(0))
        out.append(Invariant(var, canonical(value)))
    return out


def reduced_method(method: Method, system: StepSystem, invs: list[Invariant]) -> Method:
    """The same method on the state the invariants leave free: each eliminated variable is a definition."""
    gone = {i.variable: i.value for i in invs}
    subs = {v(t): val for v, val in gone.items()}
    keep = [s for s in system.state if s not in gone]
    updates = tuple(sp.Eq(s(t + 1), system.F[s].xreplace(subs)) for s in keep)
    init = {s(method.t0): system.init[s(method.t0)] for s in keep if s(method.t0) in system.init}
    return replace(method, state=tuple(keep), updates=updates, define={**dict(method.define), **gone}, init=init)


def invariant_identities(method: Method, system: StepSystem, invs: list[Invariant]) -> list[Identity]:
    """Each invariant at the start, and kept by a step modulo all of them (induction on reachable states)."""
    subs = {i.variable(t): i.value for i in invs}
    out = []
    for inv in invs:
        lhs0, rhs0 = inv.variable(method.t0), inv.value.subs(t, method.t0)
        r0 = canonical((lhs0 - rhs0).xreplace(system.init))
        out.append(Identity(f"invariant {inv.statement()} at the start", lhs0, rhs0, r0, r0 == 0))
        after = inv.value.subs(t, t + 1).xreplace({s(t + 1): system.F[s] for s in system.state})
        r1 = canonical((system.F[inv.variable] - after).xreplace(subs))
        out.append(Identity(f"invariant {inv.statement()} kept by a step", inv.variable(t + 1),
                            inv.value.subs(t, t + 1), r1, r1 == 0))
    return out


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


# -- conditions ----------------------------------------------------------------------------------
def specialised(method: Method, sym: sp.Symbol, value) -> Method:
    """The declaration with the constant ``sym`` set to ``value`` everywhere."""
    rep = {sym: value}
    sub = lambda e: sp.sympify(e).subs(rep)  # noqa: E731
    return replace(
        method, key=f"{method.key}[{sym}={value}]",
        updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
        define={k: sub(v) for k, v in method.define.items()},
        init={k: sub(v) for k, v in method.init.items()},
        constants=tuple(c for c in method.constants if c != sym),
        defaults={k: sub(v) for k, v in method.defaults.items() if k != sym},
        domain={k: v for k, v in method.domain.items() if k != sym},
        claims=(), paper_setting={k: sub(v) for k, v in method.paper_setting.items()},
    )


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
                "maps": [{"when": f, "m_a": sp.sstr(v.map.momentum),
                          "beta_a": sp.sstr(v.map.beta_a), "eta_a": sp.sstr(v.map.eta_a),
                          "alpha_a": sp.sstr(v.map.alpha_a)} for f, v in self.inside],
                "untested": [sp.sstr(f) for f in self.untested],
                "undefined": [{"when": label, "why": why} for label, why in self.undefined]}


def condition(method: Method, w: Witness, depth: int = 3) -> Condition:
    """Try every factor of the witness (and of its pivot) that involves constants only: set it to 0, decide
    (and explore the condition of a component that is still outside, ``depth - 1`` deep)."""
    consts = set(method.constants)
    cond = Condition()
    seen = []
    for expr in (w.coefficient, w.valid_where):
        _, fs = sp.factor_list(sp.numer(sp.together(expr)))
        for f, _ in fs:
            if f.is_number or any(canonical(f - g) == 0 or canonical(f + g) == 0 for g in seen):
                continue
            seen.append(f)
            syms = sorted(f.free_symbols & consts, key=sp.default_sort_key)
            sym = next((s for s in syms if degree_in(f, s) == 1), None)
            if f.atoms(AppliedUndef) or not f.free_symbols <= consts or sym is None:
                cond.untested.append(f)
                continue
            if depth <= 0:
                cond.truncated = True
                continue
            value = nice(roots_in(f, sym)[0])
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
    def refusal_text(self) -> str | None:
        if self.in_family:
            return None
        if self.witness is None:
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
        from .scaling import scaling_witness

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
                out.append({"condition": f"{f} = 0", "factor": f,
                            "effects": [f"the invariant {inv.statement()} is undefined there"]})
    return out


# -- degenerate sets: one of many, no map, another map ---------------------------------------------
ETA_EFFECT = "eta_a = 0"


def classify_degenerate(method: Method, mp: Map) -> list[dict]:
    """Each degenerate entry of the map with its ``kind``:

    * ``one-of-many`` -- the condition holds at every step and only makes eta_a vanish: the momentum drops
      out of the update for good, the map holds and beta_a is arbitrary;
    * ``no-map`` -- no map exists there: a witness (for a schedule, with the value imposed at one isolated
      step only);
    * ``other-map`` -- this map is undefined there but the method is in the family with another (proved);
    * ``map-holds`` -- (a schedule value at one isolated step) only eta_a vanishes at that step and no
      denominator of the map does: the proved identities cover it, the same map holds;
    * ``undecided`` -- neither a map nor a witness was found.

    A condition on a schedule value gets ``kind`` for an isolated step and ``kind_every_step`` for the
    condition holding at every step.
    """
    out = []
    system = StepSystem(method)
    for d in mp.degenerate:
        entry = dict(d)
        f = d["factor"]
        undefined = any("undefined" in e for e in d["effects"])
        eta_only = all(e.startswith(ETA_EFFECT) for e in d["effects"])
        if f.atoms(AppliedUndef):
            entry["kind_every_step"] = _every_step(method, f, eta_only and not undefined)
            gap = isolated_undefined(method, f)
            w = None if gap else isolated_witness(method, system, f)
            entry["kind"] = "method-undefined" if gap else \
                ("no-map" if w is not None else ("map-holds" if not undefined else "undecided"))
            entry["witness"] = w
            if gap:
                entry["undefined"] = gap
        elif eta_only and not undefined:
            entry["kind"], entry["witness"] = "one-of-many", None
        else:
            entry.update(constant_kind(method, f))
        entry["effects"] = list(d["effects"]) + [_kind_sentence(entry)]
        out.append(entry)
    return out


def constant_kind(method: Method, f) -> dict:
    """The kind of a degenerate factor ``f`` of constants (and perhaps ``t``, as in ``beta**t - 1``): the
    method decided with one constant set to the root, at every step.  A root where the declaration itself
    divides by 0 is ``method-undefined`` (nothing to decide); a root outside the declared domain is said so.
    The roots of a factor with ``t`` that hold only at some steps (``beta = -1`` at even ``t``) are listed
    from the first steps and, inside the domain, leave the entry ``undecided``."""
    consts = sorted(f.free_symbols & set(method.constants), key=sp.default_sort_key)
    found = None
    for sym in consts:
        if f.has(t):
            roots = [r for r in roots_in(f.subs(t, method.t0), sym) if is_zero(f.xreplace({sym: r}))]
        else:
            roots = roots_in(f, sym) if degree_in(f, sym) == 1 else []
        if roots:
            found = sym, nice(roots[0])
            break
    out = {"kind": "undecided", "witness": None, "other_map": None, "condition_there": None}
    single = _single_step_roots(method, f) if f.has(t) else []
    notes = []

    def outside(sym, value):
        domain = method.domain.get(sym)
        return domain is not None and not _inside(domain, value)

    if single:
        notes.append("at single steps only: " + ", ".join(
            f"{k} = {sp.sstr(v)} at t = {', '.join(map(str, ks))}" + (" (outside the declared domain)" if outside(k, v) else "")
            for k, v, ks in single) + f" (steps {method.t0}..{method.t0 + 5} checked)")
    if found is None:
        out["notes"] = notes + ["no root that holds at every step was found"]
        return out
    sym, value = found
    label = f"{sym} = {sp.sstr(value)}"
    if outside(sym, value):
        notes.append(f"{label} lies outside the declared domain of {sym}")
    undefined = undefined_under(method, lambda e: sp.sympify(e).subs(sym, value))
    if undefined is not None:
        out.update(kind="method-undefined", undefined=f"{label}: {undefined}")
    else:
        v = decide(specialised(method, sym, value), depth=1)
        out.update(kind="other-map" if v.in_family else ("no-map" if v.witness is not None else "undecided"),
                   witness=v.witness, other_map=v.map if v.in_family else None, condition_there=v.condition)
    if any(not outside(k, v) for k, v, _ in single):
        out["kind"] = "undecided"  # its single-step roots inside the domain are not decided here
        notes.append("those single-step roots are inside the declared domain and not decided")
    out["notes"] = notes
    return out


def _inside(domain, value) -> bool:
    got = domain.contains(value)
    return got is not sp.false


def _single_step_roots(method: Method, f, steps: int = 6) -> list:
    """``[(sym, value, [steps])]``: real roots of ``f`` at single steps ``t0 .. t0 + steps - 1`` that do not
    hold at every step."""
    out: dict = {}
    for sym in sorted(f.free_symbols & set(method.constants), key=sp.default_sort_key):
        for k in range(method.t0, method.t0 + steps):
            for r in roots_in(f.subs(t, k), sym):
                if r.is_real and not is_zero(f.xreplace({sym: r})):
                    out.setdefault((sym, r), []).append(k)
    return [(s, r, ks) for (s, r), ks in out.items()]


def specialised_schedule(method: Method, app, value) -> Method | None:
    """The declaration with the schedule of ``app`` (``gamma(t)``) replaced by ``value`` (an expression of
    ``t``) at every step; None when the schedule is not one of the method's."""
    f = app.func
    if f not in method.schedules or app.args[0] != t:
        return None
    sub = lambda e: sp.sympify(e).replace(lambda x: isinstance(x, AppliedUndef) and x.func == f,  # noqa: E731
                                          lambda x: sp.sympify(value).subs(t, x.args[0]))
    return replace(
        method, key=f"{method.key}[{app}={value}]",
        updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
        define={k: sub(v) for k, v in method.define.items()},
        init={k: sub(v) for k, v in method.init.items()},
        schedules=tuple(s for s in method.schedules if s != f),
        defaults={k: v for k, v in method.defaults.items() if k != f},
        claims=(), paper_setting={k: v for k, v in method.paper_setting.items() if k != f},
    )


def _every_step(method: Method, factor, eta_only: bool) -> str:
    """The kind of ``factor = 0`` holding at every step: solve it for one schedule at ``t`` and decide."""
    if eta_only:
        return "one-of-many"
    for a in sorted(factor.atoms(AppliedUndef), key=sp.default_sort_key):
        k = offset(a.args[0])
        if k is None:
            continue
        d = sp.Dummy("v")
        sol = sp.solve(factor.xreplace({a: d}), d)
        if len(sol) == 1 and k:  # c(t - 1) = v(t) at every step is c(t) = v(t + 1)
            a, sol = a.func(t), [sp.sympify(sol[0]).subs(t, t - k)]
        spec = specialised_schedule(method, a, sol[0]) if len(sol) == 1 else None
        if spec is None:
            continue
        if undefined_under(method, lambda e: _with_schedule(e, a.func, sol[0])) is not None:  # noqa: B023
            return "method-undefined"
        v = decide(spec, conditions=False)
        if v.in_family:
            return "one-of-many" if is_zero(v.map.eta_a) else "other-map"
        return "no-map" if v.witness is not None else "undecided"
    return "undecided"


def _kind_sentence(entry: dict) -> str:
    kind, w = entry["kind"], entry.get("witness")
    every = {"one-of-many": "where it holds at every step, the momentum drops out for good and the map is one of many",
             "other-map": "where it holds at every step, the method is in the family with another map (proved)",
             "no-map": "where it holds at every step, no map exists (a witness was found)",
             "method-undefined": "where it holds at every step, the declaration itself is undefined",
             "undecided": "where it holds at every step, neither a map nor a witness was found"}
    if "kind_every_step" in entry:
        isolated = {"no-map": f"at a single step no map exists: {w.sentence() if w else ''}",
                    "map-holds": "at a single step the same map holds (no denominator of the map vanishes)",
                    "undecided": "at a single step neither a map nor a witness was found",
                    "method-undefined": f"at a single step the declaration itself is undefined "
                                        f"({entry.get('undefined')}): nothing to decide"}[kind]
        return f"{isolated}; {every[entry['kind_every_step']]}"
    notes = "".join(f"; {n}" for n in entry.get("notes", ()))
    if kind == "one-of-many":
        return "it holds at every step: the momentum drops out for good and the map is one of many" + notes
    if kind == "other-map" and entry.get("other_map") is not None:
        o = entry["other_map"]
        return (f"the method is still in the family there, with another map (proved): m_a = {sp.sstr(o.momentum)}, "
                f"beta_a = {sp.sstr(o.beta_a)}, eta_a = {sp.sstr(o.eta_a)}, alpha_a = {sp.sstr(o.alpha_a)}{notes}")
    if kind == "no-map" and w is not None:
        c = entry.get("condition_there")
        return f"no map exists there: {w.sentence()}" + (f"; there, {c.text}" if c is not None and c.text else "") + notes
    if kind == "method-undefined":
        return f"the declaration itself is undefined there ({entry['undefined']}): nothing to decide{notes}"
    return "neither a map nor a witness was found there" + notes


def _with_schedule(expr, f, value):
    return sp.sympify(expr).replace(lambda x: isinstance(x, AppliedUndef) and x.func == f,
                                    lambda x: sp.sympify(value).subs(t, x.args[0]))


def isolated_undefined(method: Method, factor) -> str | None:
    """Where ``factor = 0`` imposed at one step ``k`` (solved for one schedule value) leaves the declaration
    itself undefined around that step (an update dividing by ``c(k)``), in words; None otherwise."""
    k = method.t0 + 2
    at_k = factor.subs(t, k)
    for a in sorted(at_k.atoms(AppliedUndef), key=sp.default_sort_key):
        sol = roots_in(at_k.xreplace({a: (d := sp.Dummy("v"))}), d)
        if len(sol) != 1:
            continue
        for j in range(k - 2, k + 1):
            why = undefined_under(method, lambda e: sp.sympify(e).subs(t, j).xreplace({a: sol[0]}))  # noqa: B023
            if why is not None:
                return f"{a} = {sp.sstr(sol[0])}: at step {j}, {why}"
    return None


def isolated_witness(method: Method, system: StepSystem, factor) -> Witness | None:
    """Impose ``factor = 0`` at one step ``k`` only (solved for one schedule value) and look for a witness."""
    for k in (method.t0 + 2, method.t0 + 3):
        at_k = factor.subs(t, k)
        apps = sorted(at_k.atoms(AppliedUndef), key=sp.default_sort_key)
        for a in apps:
            d = sp.Dummy("v")
            sol = sp.solve(at_k.xreplace({a: d}), d)
            if len(sol) != 1:
                continue
            try:
                w = find_witness(method, system, fixed={a: sol[0]})
            except (ValueError, ZeroDivisionError):  # a value the unrolled coefficients cannot take
                continue
            if w is not None:
                return _with_example(method, w)
    return None


def degenerate_json(entries: list[dict]) -> list[dict]:
    """The JSON of :func:`classify_degenerate`'s entries (docs/json-schema.md)."""
    out = []
    for e in entries:
        j = {"condition": e["condition"], "effects": e["effects"], "kind": e.get("kind")}
        if "kind_every_step" in e:
            j["kind_every_step"] = e["kind_every_step"]
        w = e.get("witness")
        j["witness"] = None if w is None else w.to_json()
        out.append(j)
    return out
