"""Are two methods the same algorithm?  ``equivalent(A, B)``: the same query points for every gradient sequence.

Two methods A and B *are equivalent* when, started at the same point ``theta_0``, they query the gradient at
the same points at every step, whatever the gradients are (step ``k`` of each counted from its own first
step).  Hyperparameters with the same name are the same value; different names are independent unless a
relation ties them (given, or found by the conversion machinery when both are instances of Eq. (1)).

**The joint system.**  Each linear method is a step ``S(t + 1) = M_t S(t) + b_t u(t)`` with query point
``q(t) = c_t . S(t)`` (:func:`equivalences.trajectory.linear_step`).  Put A's and B's states side by side and
feed both the *same* free gradient symbols ``u(t)``: on an equivalent pair this is exact, because the
gradients are taken at equal points (by induction on the step), and on a pair that differs the first
difference comes after steps whose query points -- hence gradients -- coincide, so any gradient sequence up
to it is realised by some objective for both.  The question becomes: is ``d(t) = q_A(t) - q_B(t)`` zero on
every trajectory of the joint system?

**Proof (time-varying coefficients allowed).**  Let ``lambda_0(t) = c_t`` (A's coefficients, minus B's) and
``lambda_(k+1)(t) = lambda_k(t + 1) M_t``: ``lambda_k(t) . S(t)`` is the part of ``d(t + k)`` that the state
at ``t`` carries, and ``lambda_k(t + 1) . b_t`` is the coefficient of ``u(t)`` in ``d(t + k + 1)``.  Stop at
the first ``K`` with ``lambda_K(t) = sum_i a_i(t) lambda_i(t)`` (rational functions ``a_i`` of ``t``, the
schedule values and the constants; ``K <= n``).  Then

* ``I_k(t0) = lambda_k(t0) . S(t0) = 0`` for ``k < K``           (start),
* ``lambda_k(t + 1) . b_t = 0`` for ``k < K``                     (no gradient enters),
* ``lambda_K(t) - sum_i a_i(t) lambda_i(t) = 0``                  (closure),

each reduced to exactly 0, prove by induction that every ``I_k(t) = lambda_k(t) . S(t)`` vanishes on every
reachable joint state (``I_k(t + 1) = I_(k+1)(t)``, and ``I_K = sum a_i I_i``), in particular
``I_0 = d = 0``: A and B are equivalent wherever no denominator of an ``a_i`` vanishes.  Conversely, the
``lambda_k`` are exact coefficients (products, no division), so a start or input check that fails is a term
of ``d`` that is not identically 0: the methods differ.

**Witness.**  Then both are unrolled from their starts at concrete steps with indexed gradient symbols, in
exact arithmetic (rational functions of the constants and of the schedule values at those steps), and the
first step and term where ``q_A`` and ``q_B`` differ are reported with both coefficients and exact values
at which they differ.  Each factor of that difference in the constants only is set to 0 and the pair decided
again: "equivalent exactly when ...", proved both ways (each component proved; off them the witness
difference is non-zero).

Nothing numeric is imported here (symbolic core); the replay is in :mod:`equivalences.app.commands.equivalent`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import canonical, is_zero, linear_coefficients, nice, substitute_function
from .declare import Method
from .prove import Identity
from .symbols import t
from .system import StepSystem
from .trajectory import Condition as _FamilyCondition
from .trajectory import _Field as Field
from .trajectory import example_values, linear_step, specialised, start_symbols


class NotLinear(Exception):
    """The method is not a linear step in its state and gradient (a transform, a nonlinear update)."""


# ----------------------------------------------------------------------------------------------- one side
@dataclass
class Linear:
    """One method as ``S(t + 1) = M_t S(t) + b_t u(t)``, ``q(t) = c_t . S(t)``, ``S(t0) = start``."""

    method: Method
    names: list
    M: sp.Matrix
    b: sp.Matrix
    c: list
    start: list

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def constant(self) -> bool:
        """No step, schedule or ``t`` in any coefficient: a time-invariant filter."""
        exprs = [*self.M, *self.b, *self.c]
        return all(not sp.sympify(e).has(t) and not sp.sympify(e).atoms(AppliedUndef) for e in exprs)

    def transfer_function(self, z=sp.Symbol("z")) -> sp.Expr | None:
        """``H(z) = c (z I - M)^(-1) b``: the query point's response to the gradient (constant coefficients)."""
        if not self.constant:
            return None
        c = sp.Matrix([self.c])
        return sp.factor(sp.cancel((c * (z * sp.eye(self.n) - self.M).adjugate() * self.b)[0]
                                   / (z * sp.eye(self.n) - self.M).det()))


def linear_form(method: Method, tag: str = "") -> Linear:
    """``method`` as a :class:`Linear` system (:class:`NotLinear` when it is not one)."""
    if method.transforms:
        raise NotLinear(f"{method.key} applies a transform ({', '.join(tr.name for tr in method.transforms)})")
    system = StepSystem(method)
    got = linear_step(system)
    if got is None:
        raise NotLinear(f"{method.key}'s step is not linear in its state and gradient")
    M, b = got
    S, u = system.at_base(), system.input(t)
    q = system.expand(method.query(t))
    try:
        coeffs, rest = linear_coefficients(q, S + [u])
    except ValueError:
        raise NotLinear(f"{method.key}'s query point is not linear in its state") from None
    if rest != 0 or not is_zero(coeffs[u]):
        raise NotLinear(f"{method.key}'s query point is not a linear combination of its state")
    t0 = method.t0
    start = [sp.sympify(system.init.get(s(t0), sp.Symbol(f"{s.__name__}{tag}({t0})"))) for s in system.state]
    return Linear(method, [s.__name__ for s in system.state], M, b, [coeffs[x] for x in S], start)


# ----------------------------------------------------------------------------------------------- names
def unify(method: Method, like: Method) -> Method:
    """``method`` with every symbol and schedule named as one of ``like``'s replaced by ``like``'s own object
    (the same name is the same hyperparameter, whatever its declared assumptions)."""
    def objects(m):
        exprs = [e.rhs for e in m.updates] + list(m.define.values()) + list(m.init.values())
        syms = {s for e in exprs for s in sp.sympify(e).free_symbols} | set(m.constants)
        funcs = set(m.schedules)
        return {s.name: s for s in syms}, {f.__name__: f for f in funcs}

    mine_s, mine_f = objects(method)
    their_s, their_f = objects(like)
    rep = {s: their_s[n] for n, s in mine_s.items() if n in their_s and their_s[n] != s}
    fmap = {f: their_f[n] for n, f in mine_f.items() if n in their_f and their_f[n] != f}
    if not rep and not fmap:
        return method

    def sub(e):
        e = sp.sympify(e).xreplace(rep)
        for f, g in fmap.items():
            e = e.replace(lambda x, f=f: isinstance(x, AppliedUndef) and x.func == f, lambda x, g=g: g(*x.args))
        return e

    return replace(method, updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
                   define={k: sub(v) for k, v in method.define.items()}, init={k: sub(v) for k, v in method.init.items()},
                   constants=tuple(rep.get(c, c) for c in method.constants),
                   schedules=tuple(fmap.get(f, f) for f in method.schedules),
                   defaults={rep.get(k, fmap.get(k, k)): sub(v) for k, v in method.defaults.items()},
                   domain={rep.get(k, k): v for k, v in method.domain.items()})


def renumbered(method: Method, shift: int) -> Method:
    """``method`` started at its step ``t0 + shift`` (its schedules and ``t`` read ``shift`` steps later), from the
    same start values: ``A``'s step ``t`` is this method's step ``t + shift``."""
    if not shift:
        return method
    t0 = method.t0
    init = {}
    for k, v in method.init.items():
        init[k.func(k.args[0] + shift) if isinstance(k, AppliedUndef) and k.args[0] == t0 else k] = v
    return replace(method, key=f"{method.key}[t+{shift}]" if shift > 0 else f"{method.key}[t{shift}]",
                   t0=t0 + shift, init=init, claims=())


def related(method: Method, constants: dict, schedules: dict) -> Method:
    """``method`` with constants (``{Symbol: expr}``) and schedules (``{Function: expr of t}``) substituted."""
    def sub(e):  # B's own constants first: the values are in A's names, which must not be replaced again
        e = sp.sympify(e).xreplace(constants)
        for f, body in schedules.items():
            e = substitute_function(e, f, body)
        return e

    values = [sp.sympify(v) for v in (*constants.values(), *schedules.values())]
    kept_f = [f for f in method.schedules if f not in schedules]
    kept_s = [c for c in method.constants if c not in constants]
    new_funcs = {a.func for v in values for a in v.atoms(AppliedUndef)} - set(kept_f)
    new_syms = {s for v in values for s in v.free_symbols} - set(kept_s) - {t}
    return replace(method, key=f"{method.key}[related]",
                   updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
                   define={k: sub(v) for k, v in method.define.items()}, init={k: sub(v) for k, v in method.init.items()},
                   constants=tuple(kept_s) + tuple(sorted(new_syms, key=sp.default_sort_key)),
                   schedules=tuple(kept_f) + tuple(sorted(new_funcs, key=lambda f: f.__name__)),
                   defaults={k: v for k, v in method.defaults.items() if k not in constants and k not in schedules},
                   claims=(), paper_setting={})


# ----------------------------------------------------------------------------------------------- the joint system
@dataclass
class Joint:
    """A's and B's states side by side, one gradient ``u(t)`` (A's step ``t`` is B's step ``t + delta``)."""

    a: Linear
    b_: Linear
    delta: int

    @property
    def t0(self) -> int:
        return self.a.method.t0

    @property
    def names(self) -> list:
        return [f"{n}_A" for n in self.a.names] + [f"{n}_B" for n in self.b_.names]

    @property
    def n(self) -> int:
        return self.a.n + self.b_.n

    def M(self, k=0) -> sp.Matrix:
        return sp.diag(self.a.M.subs(t, t + k), self.b_.M.subs(t, t + k + self.delta))

    def b(self, k=0) -> list:
        return [*self.a.b.subs(t, t + k), *self.b_.b.subs(t, t + k + self.delta)]

    def c(self, k=0) -> list:
        return ([sp.sympify(x).subs(t, t + k) for x in self.a.c]
                + [-sp.sympify(x).subs(t, t + k + self.delta) for x in self.b_.c])

    @property
    def start(self) -> list:
        return [*self.a.start, *self.b_.start]

    def state(self, k=0) -> list:
        return [sp.Function(n)(t + k) for n in self.names]


def joint(a: Method, b: Method) -> Joint:
    la, lb = linear_form(a, "_A"), linear_form(b, "_B")
    return Joint(la, lb, b.t0 - a.t0)


# ----------------------------------------------------------------------------------------------- proof
@dataclass
class Closure:
    """The functionals ``lambda_0 .. lambda_(K-1)`` and the identities that prove ``d = 0`` (module doc)."""

    identities: list
    functionals: list
    coefficients: list
    """``a_i(t)`` of the closure ``lambda_K = sum a_i lambda_i``."""
    failed: Identity | None = None
    degenerate: list = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.failed is None and bool(self.identities) and all(i.holds for i in self.identities)


def prove_joint(J: Joint) -> Closure:
    """Build the closure of ``lambda_0 = c`` under the step and check start, input and closure exactly."""
    n = J.n
    exprs = [*J.c(0), *J.b(0)]
    for j in range(n + 2):
        exprs += [*J.c(j), *J.M(j)]
    F = Field(exprs)
    Ms = [[[F(x) for x in J.M(j).row(i)] for i in range(n)] for j in range(n + 1)]
    b0 = [F(x) for x in J.b(0)]
    memo: dict = {}

    def lam(k, j):  # lambda_k(t + j), as field elements
        if (k, j) not in memo:
            if k == 0:
                memo[k, j] = [F(x) for x in J.c(j)]
            else:
                prev = lam(k - 1, j + 1)
                memo[k, j] = [sum((prev[i] * Ms[j][i][col] for i in range(n)), F.K.zero) for col in range(n)]
        return memo[k, j]

    S = J.state()
    ids, basis, funcs = [], [], []   # basis: (pivot, row, combination of the lambda_i)

    def as_expr(v):
        return sum((nice(F.expr(x)) * s for x, s in zip(v, S) if x != 0), sp.Integer(0))

    for k in range(n + 1):
        v = lam(k, 0)
        rest, combo = list(v), [F.K.zero] * len(funcs)
        for piv, row, rc in basis:
            if rest[piv] != 0:
                f = rest[piv] / row[piv]
                rest = [x - f * y for x, y in zip(rest, row)]
                combo = [x + f * y for x, y in zip(combo, rc)]
        if all(x == 0 for x in rest):  # closure: lambda_k = sum combo_i lambda_i
            coeffs = [nice(F.expr(a)) for a in combo]
            resid = [F.expr(x - sum((a * w[i] for a, w in zip(combo, funcs)), F.K.zero)) for i, x in enumerate(v)]
            r = sp.Integer(0) if all(canonical(x) == 0 for x in resid) else sp.Matrix(resid)
            rhs = sum((a * sp.Function(f"I_{i}")(t) for i, a in enumerate(coeffs) if a != 0), sp.Integer(0))
            ids.append(Identity(f"closure: I_{k}(t) = {sp.sstr(rhs)}", sp.Function(f"I_{k}")(t), rhs, r, r == 0))
            cl = Closure(ids, [as_expr(w) for w in funcs], coeffs)
            cl.degenerate = _denominator_factors(coeffs)
            return cl
        I_k = as_expr(v)
        # start: I_k(t0) = 0
        r0 = canonical(sum((F.expr(x).subs(t, J.t0) * s0 for x, s0 in zip(v, J.start)), sp.Integer(0)))
        ids.append(Identity(f"start: I_{k}({J.t0}) = 0", I_k.subs(t, J.t0), sp.Integer(0), r0, r0 == 0))
        if r0 != 0:
            return Closure(ids, [as_expr(w) for w in funcs], [], failed=ids[-1])
        # input: u(t) does not enter I_k(t + 1)
        w1 = lam(k, 1)
        ru = nice(F.expr(sum((x * y for x, y in zip(w1, b0)), F.K.zero)))
        ids.append(Identity(f"step: I_{k}(t + 1) = I_{k + 1}(t) + ({sp.sstr(ru)})*u(t), no gradient enters",
                            sp.Function(f"I_{k}")(t + 1), sp.Function(f"I_{k + 1}")(t), ru, ru == 0))
        if ru != 0:
            return Closure(ids, [as_expr(w) for w in funcs], [], failed=ids[-1])
        funcs.append(v)
        piv = next(i for i, x in enumerate(rest) if x != 0)  # rest = lambda_k - sum combo_i lambda_i
        basis = [(p, row, rc + [F.K.zero]) for p, row, rc in basis] + [(piv, rest, [-x for x in combo] + [F.K.one])]
    raise AssertionError("the closure has at most n functionals")  # pragma: no cover


def _denominator_factors(exprs) -> list:
    out = []
    for e in exprs:
        _, fs = sp.factor_list(sp.denom(sp.together(e)))
        for f, _ in fs:
            if not f.is_number and all(canonical(f - g) != 0 for g in out):
                out.append(f)
    return out


# ----------------------------------------------------------------------------------------------- unrolling
def unroll(sides, t0: int, steps: int):
    """Yield ``(k, [q_1(k), q_2(k), ...])`` for ``k = t0, t0 + 1, ...``: each side's query point as a linear form
    ``{atom: coefficient}`` over the gradients ``u(j)`` (``j`` = the first side's step) and the start symbols,
    in exact arithmetic.  ``sides`` is a list of ``(Linear, delta)``: that side's step ``k + delta`` is step ``k``."""
    u = sides[0][0].method.input
    ks = range(t0, t0 + steps + 1)
    consts = set()
    for L, _ in sides:
        for e in [*L.M, *L.b, *L.c]:
            consts |= sp.sympify(e).free_symbols
    starts = sorted({s for L, _ in sides for v in L.start for s in sp.sympify(v).free_symbols} - consts - {t},
                    key=sp.default_sort_key)
    forms, exprs = [], []
    for L, _ in sides:
        for v in L.start:
            coeffs, rest = linear_coefficients(v, starts)
            if rest != 0:
                raise NotLinear(f"{L.method.key}'s start is not linear in {', '.join(map(str, starts))}")
            forms.append({a: c for a, c in coeffs.items() if c != 0})
            exprs += list(coeffs.values())
    at = lambda e, k: sp.sympify(e).subs(t, k)  # noqa: E731
    for k in ks:
        for L, d in sides:
            exprs += [at(e, k + d) for e in [*L.M, *L.b, *L.c]]
    F = Field(exprs)
    state = [{a: F(c) for a, c in f.items()} for f in forms]

    def combine(coeffs, vecs):
        out: dict = {}
        for c, v in zip(coeffs, vecs):
            if c == 0:
                continue
            for a, x in v.items():
                out[a] = out.get(a, 0) + c * x
        return {a: x for a, x in out.items() if x != 0}

    offsets = []
    for L, _ in sides:
        offsets.append(sum(x.n for x, _ in sides[:len(offsets)]))
    for k in ks:
        qs, new = [], []
        for (L, d), o in zip(sides, offsets):
            block = state[o:o + L.n]
            qs.append(combine([F(at(x, k + d)) for x in L.c], block))
            for i in range(L.n):
                row = combine([F(at(x, k + d)) for x in L.M.row(i)], block)
                bb = F(at(L.b[i], k + d))
                if bb != 0:
                    row[u(k)] = row.get(u(k), 0) + bb
                new.append({a: x for a, x in row.items() if x != 0})
        yield k, qs, F
        state = new


def _newest(atoms, u):
    def age(a):
        return a.args[0] if isinstance(a, AppliedUndef) and a.func == u else -10 ** 9
    return max(atoms, key=lambda a: (age(a), sp.default_sort_key(a)))


@dataclass
class Difference:
    """The first step where the query points differ: a term and its coefficient in each (the witness)."""

    step: int
    step_b: int
    term: sp.Expr
    coefficient_a: sp.Expr
    coefficient_b: sp.Expr
    values: dict = field(default_factory=dict)
    value_a: sp.Expr | None = None
    value_b: sp.Expr | None = None

    @property
    def difference(self) -> sp.Expr:
        return nice(self.coefficient_a - self.coefficient_b)

    def sentence(self, a: str = "A", b: str = "B") -> str:
        at = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        which = f"{a}'s step {self.step}" + (f" (= {b}'s step {self.step_b})" if self.step_b != self.step else "")
        lag = ""
        if isinstance(self.term, AppliedUndef) and self.term.args[0].is_Integer:
            lag = f" (the gradient of step {self.term.args[0]})"
        eg = (f"; e.g. {sp.sstr(self.value_a)} vs {sp.sstr(self.value_b)} at {at}"
              if self.value_a is not None and at else "")
        return (f"at {which} the query points differ: {self.term}{lag} enters {a}'s with coefficient "
                f"{sp.sstr(self.coefficient_a)} and {b}'s with {sp.sstr(self.coefficient_b)}{eg}")

    def to_json(self) -> dict:
        s = sp.sstr
        return {"step": self.step, "step_b": self.step_b, "term": s(self.term),
                "coefficient_a": s(self.coefficient_a), "coefficient_b": s(self.coefficient_b),
                "difference": s(self.difference), "values": {k: s(v) for k, v in self.values.items()},
                "value_a": None if self.value_a is None else s(self.value_a),
                "value_b": None if self.value_b is None else s(self.value_b)}


def first_difference(J: Joint, steps: int | None = None) -> Difference | None:
    """The first step (from the start) and the newest term where ``q_A`` and ``q_B`` differ, exactly."""
    steps = steps if steps is not None else J.n + 4
    u = J.a.method.input
    for k, (qa, qb), F in unroll([(J.a, 0), (J.b_, J.delta)], J.t0, steps):
        diff = {a: qa.get(a, 0) - qb.get(a, 0) for a in set(qa) | set(qb)}
        diff = {a: x for a, x in diff.items() if x != 0}
        if diff:
            a = _newest(diff, u)
            return Difference(k, k + J.delta, a, nice(F.expr(qa.get(a, F.K.zero))),
                              nice(F.expr(qb.get(a, F.K.zero))))
    return None


def _with_values(d: Difference, a: Method, b: Method) -> Difference:
    merged = replace(a, defaults={**dict(b.defaults), **dict(a.defaults)})
    found = example_values(merged, [d.difference])
    if found is not None:
        d.values = {str(k): v for k, v in found[0].items()}
        d.value_a = canonical(d.coefficient_a.xreplace(found[0]))
        d.value_b = canonical(d.coefficient_b.xreplace(found[0]))
    return d


# ----------------------------------------------------------------------------------------------- the verdict
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
            "special_cases": [{"when": label, "relation": dict(s.relation)} for label, s in self.special],
            "reason": self.reason, "notes": list(self.notes),
            "transfer_function": None if self.transfer is None else {"a": s(self.transfer[0]), "b": s(self.transfer[1])},
            "numeric": self.numeric,
        }


def _mentions_time(method: Method) -> bool:
    exprs = [e.rhs for e in method.updates] + list(method.define.values())
    return bool(method.schedules) or any(sp.sympify(e).has(t) for e in exprs)


def _transfer(J: Joint):
    if J.a.constant and J.b_.constant:
        return J.a.transfer_function(), J.b_.transfer_function()
    return None


def _joint_verdict(a: Method, b: Method, b_cmp: Method, **kw) -> tuple[Equivalence, Joint]:
    J = joint(a, b_cmp)
    cl = prove_joint(J)
    e = Equivalence(a, b, "equivalent" if cl.holds else "not-equivalent", "joint", closure=cl, compared=b_cmp,
                    transfer=_transfer(J), **kw)
    return e, J


def equivalent(a: Method, b: Method, relation: dict | None = None, *, conversion: bool = True,
               shifts: bool = True, conditions: bool = True, depth: int = 2) -> Equivalence:
    """Decide whether ``a`` and ``b`` trace the same query points (module doc).

    ``relation`` (optional) ties B's hyperparameters to A's: ``{B's symbol or schedule: expression}``.  Without
    it, the same names are the same values; when that fails and both are instances of Eq. (1), the relation
    the conversion machinery finds (:func:`equivalences.convert.convert`) is substituted and proved on the
    joint trajectory.  Then B renumbered by one step either way (a shift of the step index); then the
    conditions under which they coincide."""
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
    w = first_difference(J, 2 * J.n + 6)
    if w is None:
        return replace(e, verdict="undecided", reason=(
            f"the closure check failed ({e.closure.failed.name}) but no difference was found within "
            f"{2 * J.n + 6} unrolled steps; the engine does not claim they differ"))
    e.witness = w = _with_values(w, a, b1)
    e.reason = w.sentence(a.key, b.key)
    if shifts and _mentions_time(b1):
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
    from .trajectory import specialised_schedule

    taken = {s.name for s in method.constants} | {s.name for s in method.defaults if isinstance(s, sp.Symbol)}
    out, new = method, []
    for f in method.schedules:
        c = sp.Symbol(f.__name__ if f.__name__ not in taken else f"{f.__name__}_c")
        body = sp.sympify(method.defaults.get(f, 0)).subs(t, method.t0)
        out = specialised_schedule(out, f(t), c)
        new.append((c, body))
    return replace(out, key=f"{method.key}[constant schedules]", constants=tuple(out.constants) + tuple(c for c, _ in new),
                   defaults={**dict(out.defaults), **{c: v for c, v in new}})


def dynamics(method: Method, steps: int = 4) -> str:
    """``static`` (the query point never moves), ``memoryless`` (each move reads the newest gradient only: plain
    SGD), or ``momentum``: decided exactly on the unrolled query points."""
    L = linear_form(method)
    u = method.input
    qs = [(k, q[0]) for k, q, _ in unroll([(L, 0)], method.t0, steps)]
    moves = [(k, {a: q1.get(a, 0) - q0.get(a, 0) for a in set(q0) | set(q1)}) for (k, q0), (_, q1) in zip(qs, qs[1:])]
    moves = [(k, {a: x for a, x in m.items() if x != 0}) for k, m in moves]
    if not any(m for _, m in moves):
        return "static"
    if all(set(m) <= {u(k)} for k, m in moves):
        return "memoryless"
    return "momentum"


def _name(k) -> str:
    return k.name if isinstance(k, sp.Symbol) else k.__name__


def condition(a: Method, b: Method, w: Difference, depth: int = 2) -> Condition:
    """Each factor of the witness difference in the constants only, set to 0 (solved for one constant), decided
    again on both methods (and explored ``depth - 1`` deeper where they still differ)."""
    consts = set(a.constants) | set(b.constants)
    cond, seen = Condition(), []
    _, fs = sp.factor_list(sp.numer(sp.together(w.difference)))
    for f, _ in fs:
        if f.is_number or any(canonical(f - g) == 0 or canonical(f + g) == 0 for g in seen):
            continue
        seen.append(f)
        sym = next((s for s in sorted(f.free_symbols & consts, key=sp.default_sort_key) if sp.degree(f, s) == 1),
                   None)
        if f.atoms(AppliedUndef) or not f.free_symbols <= consts or sym is None:
            cond.untested.append(f)
            continue
        if depth <= 0:
            cond.truncated = True
            continue
        value = nice(sp.solve(f, sym)[0])
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


def _conversion(a: Method, b: Method):
    from .convert import ConversionError, convert

    try:
        return convert(a, b)
    except (ConversionError, Exception):  # noqa: BLE001 -- not both instances of Eq. (1): no relation from there
        return None


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
    text = {k: v for k, v in conv.hyperparameters.items() if not _same_name(k, v)}
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
    rel = {k: v for k, v in conv.hyperparameters.items() if not _same_name(k, v)}
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
            out[" and ".join(sorted(conj))] = dynamics(m)
        except NotLinear:
            out[" and ".join(sorted(conj))] = "momentum"
    return out


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
        else:
            others.append((name, r.verdict))
    return Search(a, matches, others, time.perf_counter() - start)


# ----------------------------------------------------------------------------------------------- at given values
def values_of(method: Method, overrides: dict | None = None) -> dict:
    """The method's exact setting: every constant a number, every schedule an expression of ``t`` only."""
    from .convert import specialise
    from .declare import setting

    full = setting(method, overrides)
    consts = {k: v for k, v in full.items() if isinstance(k, sp.Symbol)}
    return {**{k: specialise(v, full) for k, v in full.items() if not isinstance(k, sp.Symbol)}, **consts}


def b_values(r: Equivalence, a_values: dict, overrides: dict | None = None) -> dict:
    """B's exact setting that corresponds to A's ``a_values`` under the verdict's relation (keys: B's own objects):
    a related hyperparameter from the relation, a shared name from A, any other from B's defaults and
    ``overrides``."""
    from .convert import specialise

    b = r.b
    own = values_of(b, overrides)
    by_name = {_name(k): v for k, v in a_values.items()}
    consts, scheds = r.substitution or ({}, {})
    rel = {_name(k): v for k, v in {**consts, **scheds}.items()}
    out = {}
    for k, v in own.items():
        n = _name(k)
        if n in rel:
            v = specialise(rel[n], a_values)
        elif n in by_name and n not in {_name(x) for x in (overrides or {})}:
            v = by_name[n]
        out[k] = v
    return out


def concrete(method: Method, values: dict) -> Method:
    """``method`` with every hyperparameter replaced by its value in ``values`` (``values_of``)."""
    return related(method, {k: v for k, v in values.items() if isinstance(k, sp.Symbol)},
                   {k: v for k, v in values.items() if not isinstance(k, sp.Symbol)})


def differ_at_values(a: Method, b: Method, delta: int = 0, steps: int = 12) -> Difference | None:
    """The first exact difference of the query points of two concrete methods within ``steps`` steps."""
    return first_difference(Joint(linear_form(a, "_A"), linear_form(b, "_B"), delta), steps)
