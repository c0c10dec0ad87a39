"""The linear invariants of the reachable states, and the reduced declaration they leave (see the package doc)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import canonical, linear_coefficients, nice
from ..declare import Method
from ..prove import Identity
from ..symbols import t
from ..system import StepSystem, constant_symbols


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
