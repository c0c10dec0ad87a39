"""The proof that two methods' query points agree on every trajectory of their joint system: the closure of
``lambda_0 = c`` under the step, with the start, input and closure identities (module doc of the package)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..algebra import canonical, nice
from ..prove import Identity
from ..symbols import t
from ..trajectory import _Field
from .joint import Joint


def _moving_powers(e) -> bool:
    return any(p.exp.has(t) for p in e.atoms(sp.Pow))


class Field(_Field):
    """The trajectory route's exact field, with each power whose exponent moves with the step (``beta**t``, after
    :func:`~equivalences.algebra.canonical` writes ``beta**(t - 1)`` as ``beta**t / beta``) as one more independent
    atom.  Sound for a proof: an identity in independent atoms holds at their true values.  A check that fails
    only because of it is not trusted: a difference is only ever claimed from the concrete unrolled steps, where
    the power is a number."""

    def __init__(self, exprs):
        exprs = [canonical(e) if _moving_powers(sp.sympify(e)) else sp.sympify(e) for e in exprs]
        pows = sorted({p for e in exprs for p in e.atoms(sp.Pow) if p.exp.has(t)}, key=sp.default_sort_key)
        self.powers = {p: sp.Dummy(f"pow{i}") for i, p in enumerate(pows)}
        super().__init__([e.xreplace(self.powers) for e in exprs])
        self.back.update({d: p for p, d in self.powers.items()})

    def __call__(self, expr):
        e = sp.sympify(expr)
        if _moving_powers(e):
            e = canonical(e).xreplace(self.powers)
        return super().__call__(e)


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
    M = [J.M(j) for j in range(n + 2)]  # each built once: the step matrix at t + j, the readout at t + j
    c = [J.c(j) for j in range(n + 2)]
    b = J.b(0)
    F = Field([*b, *(x for j in range(n + 2) for x in (*c[j], *M[j]))])
    zero = F.K.zero
    Ms = field_rows(F, M[:n + 1], n)
    b0 = [F(x) for x in b]
    memo: dict = {}

    def lam(k, j):  # lambda_k(t + j), as field elements
        if (k, j) not in memo:
            if k == 0:
                memo[k, j] = [F(x) for x in c[j]]
            else:
                prev = lam(k - 1, j + 1)
                memo[k, j] = times(prev, Ms[j], zero)
        return memo[k, j]

    S = J.state()
    ids, basis, funcs = [], [], []   # basis: (pivot, row, combination of the lambda_i)

    def as_expr(v):
        return sum((nice(F.expr(x)) * s for x, s in zip(v, S) if x != 0), sp.Integer(0))

    for k in range(n + 1):
        v = lam(k, 0)
        rest, combo = reduce_against(v, basis, len(funcs), F.K.zero)
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


def field_rows(F, matrices, n: int) -> list:
    """Each ``n x n`` step matrix as rows of field elements (its zeros the field's 0, not converted)."""
    zero = F.K.zero
    return [[[F(x) if x != 0 else zero for x in M.row(i)] for i in range(n)] for M in matrices]


def times(v, rows, zero) -> list:
    """The functional ``v`` times the step matrix ``rows`` (from :func:`field_rows`), zero products skipped."""
    n = len(rows)
    return [sum((v[i] * rows[i][col] for i in range(n) if v[i] and rows[i][col]), zero) for col in range(n)]


def reduce_against(v, basis, kept: int, zero):
    """``v`` reduced by the echelon ``basis`` (``(pivot, row, combination)``): ``(rest, combo)`` with ``v = rest +
    sum combo_i lambda_i`` over the ``kept`` functionals; ``rest`` is 0 exactly when ``v`` is in their span."""
    rest, combo = list(v), [zero] * kept
    for piv, row, rc in basis:
        if rest[piv] != 0:
            f = rest[piv] / row[piv]
            rest = [x - f * y for x, y in zip(rest, row)]
            combo = [x + f * y for x, y in zip(combo, rc)]
    return rest, combo


def _denominator_factors(exprs) -> list:
    out = []
    for e in exprs:
        _, fs = sp.factor_list(sp.denom(sp.together(e)))
        for f, _ in fs:
            if not f.is_number and all(canonical(f - g) != 0 for g in out):
                out.append(f)
    return out
