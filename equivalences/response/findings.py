"""The exact decision on a run: does Eq. (1), with any coefficients, produce these moves; and does a derived map?"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..symbols import t
from .runs import Form, Run, Undefined, ZERO, _Runner, _add, _scale, _start_form, term_name


# -- the decision --------------------------------------------------------------------------------------
@dataclass
class Finding:
    """Where Eq. (1) fails on the unrolled trajectory: the move of step ``step`` and the term ``term``."""

    step: int
    term: str
    coefficient: Fraction
    reason: str
    what: str = "the move"

    def sentence(self) -> str:
        return (f"at step t = {self.step}, {self.what} depends on {self.term} with coefficient "
                f"{self.coefficient}: {self.reason}")

    def to_json(self) -> dict:
        return {"step": self.step, "term": self.term, "coefficient": str(self.coefficient), "reason": self.reason}


def _columns(run_: Run):
    """``H[k][col]``: rows k = t0..T, columns t0 - 1 (the start, scaled) .. T, plus the start columns."""
    t0 = run_.method.t0
    rows = {}
    for i, (_, d, name) in enumerate(run_.moves):  # the move itself, or the direction inside the transform
        rows[t0 + i] = _scale(d, Fraction(-1)) if name is None else d
    starts = sorted({a for d in rows.values() for a in d if a[0] == "start"})
    return rows, starts


def decide(run_: Run) -> Finding | None:
    """None when Eq. (1) (any coefficients, any start) produces these moves; else the first failing term."""
    out = _decide(run_)
    if out is not None:
        q, (_, _, name) = run_.method.query.__name__, run_.moves[out.step - run_.method.t0]
        out.what = (f"the move {q}({out.step + 1}) - {q}({out.step})" if name is None
                    else f"the direction inside {name}(...) at step {out.step}")
    return out


def _decide(run_: Run) -> Finding | None:
    t0 = run_.method.t0
    rows, starts = _columns(run_)
    ks = sorted(rows)
    H = lambda k, j: rows[k].get(("u", j), ZERO)  # noqa: E731
    for k in ks:  # only gradients of step k and older, and start terms
        bad = [a for a in rows[k] if a[0] == "P" or (a[0] == "u" and a[1] > k)]
        if bad:
            return Finding(k, term_name(bad[0]), rows[k][bad[0]], "a term Eq. (1) has no place for")
    # the start columns must be multiples of one vector (m_a(t0 - 1) is one vector)
    lead = None
    for s in starts:
        col = {k: rows[k].get(s, ZERO) for k in ks}
        if lead is None:
            if any(col.values()):
                lead = (s, col)
            continue
        f = _proportional(lead[1], col)
        if f is not None:
            k, other = f
            return Finding(k, term_name(s), col[k],
                           f"the start acts through m_a({t0 - 1}) alone, so every start term is the same multiple "
                           f"of one vector; {term_name(lead[0])} and {term_name(s)} are not (compare step {other})")
    start_col = {k: (lead[1][k] if lead else ZERO) for k in ks}
    column = lambda j: start_col if j == t0 - 1 else {k: H(k, j) for k in ks}  # noqa: E731
    for j in range(t0, ks[-1] + 1):
        older, newer = column(j - 1), column(j)
        below = [k for k in ks if k >= j + 1]
        pivot = next((k for k in below if newer[k] != 0), None)
        name_old = "the start" if j == t0 else f"g({j - 1})"
        if pivot is None:
            bad = next((k for k in below if older[k] != 0), None)
            if bad is not None:
                return Finding(bad, name_old if j > t0 else term_name(lead[0]), older[bad],
                               f"it has no g({j}) term, and in Eq. (1) anything older than g({j}) reaches step {bad} "
                               f"only through m_a({j}), which holds g({j}) with coefficient 1")
            continue
        b = older[pivot] / newer[pivot]
        for k in below:
            r = older[k] - b * newer[k]
            if r != 0:
                return Finding(k, name_old if j > t0 else term_name(lead[0]), older[k],
                               f"beta_a,{j} = {b} matches step {pivot} (the ratio of its {name_old} and g({j}) terms), "
                               f"and Eq. (1) makes that ratio the same at every later step; here the {name_old} term "
                               f"is off by {r}")
        if b == 0 and older.get(j, ZERO) != 0:
            return Finding(j, name_old if j > t0 else term_name(lead[0]), older[j],
                           f"step {pivot} has a g({j}) term but no {name_old} term, so beta_a,{j} = 0; then Eq. (1) "
                           f"gives step {j} no {name_old} term either")
    return None


def _proportional(a: dict, b: dict):
    """None when ``b`` is a multiple of ``a`` (``a`` non-zero); else (a row where it fails, the pivot row)."""
    p = next(k for k in sorted(a) if a[k] != 0)
    c = b[p] / a[p]
    for k in sorted(a):
        if b[k] - c * a[k] != 0:
            return k, p
    return None


# -- the derived map, run beside ---------------------------------------------------------------------------
def map_mismatch(run_: Run, mp) -> Finding | None:
    """Run Eq. (1) with the map's coefficients at the same values; the first row (or averaged value) where it
    differs from the declaration's own run.  :class:`Undefined` where the map has no value at a step."""
    method, t0 = run_.method, run_.method.t0
    r = _Runner(method, run_.point)
    r.starts = tuple(sp.Symbol(s) for s in run_.starts)
    num = lambda e, k, what: _map_number(r, e, k, what)  # noqa: E731
    m_init = _start_form(sp.sympify(mp.m_init), r, t0) if mp.m_init != 0 else {}
    M = m_init
    post = mp.post.function.__name__ if getattr(mp, "post", None) is not None else None
    for i, (c, d, name) in enumerate(run_.moves):
        k = t0 + i
        beta = num(mp.beta_a, k, "beta_a") if M else ZERO  # beta_a,t0 multiplies m_a(t0 - 1) alone
        eta, alpha = num(mp.eta_a, k, "eta_a"), num(mp.alpha_a, k, "alpha_a")
        K = num(mp.K, k, "K")
        M = _add(_scale(M, beta) if M else {}, {("u", k): Fraction(1)})
        want = _add(_scale(M, eta), {("u", k): alpha})
        if name != post:
            return Finding(k, "the transform", Fraction(0), f"the method applies {name or 'no transform'}, "
                                                               f"the map {post or 'none'}")
        if getattr(mp, "momentum", None) is not None:  # the change of variables, at every step
            r.history = run_.states
            held = r.value(sp.sympify(mp.momentum).subs(t, k), k, run_.states[k], {})
            held = {} if isinstance(held, Fraction) else held
            diff = _add(held, M, Fraction(-1))
            if diff:
                atom = sorted(diff)[0]
                return Finding(k, term_name(atom), diff[atom], "the change of variables m_a does not hold the "
                                                               "momentum of Eq. (1) here (difference shown)")
        if name is None or mp.post.linear:
            got, want = _scale(d, c), _scale(want, K)
            diff = _add(got, want, Fraction(-1))
        else:  # sign: the same K and the same direction up to a positive factor
            diff = {} if c == K and _positive_multiple(d, want) else _add(d, want, Fraction(-1)) or {("K", k): c - K}
        if diff:
            atom = sorted(diff)[0]
            return Finding(k, term_name(atom) if atom[0] != "K" else "K", diff[atom],
                           "Eq. (1) with the derived map moves differently here (difference shown)")
    if run_.evaluate is not None and mp.gamma_avg is not None:
        for i in range(len(run_.evaluate) - 1):
            k = t0 + i
            gam = num(mp.gamma_avg, k + 1, "the averaging weight")
            want = _add(_scale(run_.evaluate[i], 1 - gam), _scale(run_.query[i + 1], gam))
            diff = _add(run_.evaluate[i + 1], want, Fraction(-1))
            if diff:
                atom = sorted(diff)[0]
                return Finding(k, term_name(atom), diff[atom], "the averaged sequence differs from the map's weights")
    return None


def _map_number(r: _Runner, e, k: int, what: str) -> Fraction:
    try:
        return r.number(sp.sympify(e), k)
    except Undefined:
        raise Undefined(k, what) from None


def _positive_multiple(a: Form, b: Form) -> bool:
    if not a or not b or set(a) != set(b):
        return not a and not b
    key = next(iter(a))
    c = a[key] / b[key]
    return c > 0 and all(a[x] == c * b[x] for x in a)
