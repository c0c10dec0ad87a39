"""Both methods unrolled from their starts at concrete steps, exactly: the first step and term where the query
points differ (the witness), and what a method does at a special setting (static, memoryless, momentum)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import canonical, linear_coefficients, nice
from ..declare import Method
from ..symbols import t
from ..trajectory import example_values
from .closure import Field
from .joint import Joint, NotLinear, linear_form


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
