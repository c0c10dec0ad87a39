"""Claim kinds beyond ``lhs = rhs``: what the paper's prose says about limits, sums, domains and steps.

Each kind is a :class:`~equivalences.declare.Claim` (so it is listed, rendered and counted like any
printed statement) whose ``lhs``/``rhs`` are the *display* of the statement, plus a :meth:`decide`
that settles it exactly with SymPy (``limit``, ``summation``, ``solveset`` on exact expressions,
never floats):

``Limit``      ``lim_{v -> p} e = L``; an asymptotic ``a ~ b`` is ``lim a/b = 1`` (:func:`asymptotic`).
``Sum``        ``sum_{s=lo}^{hi} e_s = S`` (the weights of an average sum to 1, a momentum's mass ...).
``ForAll``     ``rel(v)`` for every integer ``v >= lo`` (an inequality over a domain, "for all t >= 1").
``Explicit``   a printed step ``x <- rhs`` is explicit: after substituting the lines printed with it,
               ``rhs`` no longer reads ``x`` (otherwise the step is implicit: it solves for ``x``).

``decide(value)`` receives ``value(expr)``, which writes the accelerated form's coefficients
(``beta_a``, ``eta_a``, ``alpha_a``, ``gamma_avg`` at any index) as the derived ones and applies the
setting (the paper's assumptions and the claim's own).  A failing statement gets its residual and,
where one follows exactly, the corrected statement (the exact limit, the exact sum, the first step
from which the inequality holds), itself decided before it is shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import sympy as sp

from .algebra import canonical, nice
from .declare import Claim
from .symbols import t


class Undecided(ValueError):
    """SymPy could not settle the statement exactly (a sum without closed form, a limit it cannot take)."""


@dataclass
class Decision:
    holds: bool
    residual: sp.Expr
    correction: tuple | None = None
    how: str = ""


def _same(a, b) -> sp.Expr:
    """``a - b`` in rational normal form; infinities are compared as themselves."""
    if a.has(sp.oo, -sp.oo, sp.zoo) or b.has(sp.oo, -sp.oo, sp.zoo):
        return sp.Integer(0) if a == b else sp.Integer(1)
    return canonical(sp.gammasimp(a - b))


@dataclass(frozen=True)
class Limit(Claim):
    """``lim_{var -> point} expr = rhs``; ``lhs`` is the unevaluated :class:`sympy.Limit`."""

    kind: str = "limit"

    @property
    def expr(self):
        return self.lhs.args[0]

    def decide(self, value: Callable) -> Decision:
        e, var, point = value(self.lhs.args[0]), self.lhs.args[1], self.lhs.args[2]
        got = sp.limit(e, var, point)
        if isinstance(got, sp.Limit) or got.has(sp.AccumBounds):
            raise Undecided(f"{self.ref}: no exact limit of {e}")
        claimed = value(self.rhs)
        r = _same(got, claimed)
        if r == 0:
            return Decision(True, r)
        residual = got - claimed if not got.has(sp.oo, -sp.oo) else got
        return Decision(False, nice(residual), (self.lhs, nice(got)), "the exact limit")


def limit(ref, expr, value, *, var=t, point=sp.oo, **kw) -> Limit:
    return Limit(ref, sp.Limit(expr, var, point), sp.sympify(value), **kw)


def asymptotic(ref, expr, model, *, var=t, **kw) -> Limit:
    """``expr ~ model`` as ``var -> oo``: ``lim expr / model = 1``."""
    return Limit(ref, sp.Limit(expr / model, var, sp.oo), sp.Integer(1), **kw)


@dataclass(frozen=True)
class Sum(Claim):
    """``sum_{s=lo}^{hi} term = rhs``; ``lhs`` is the unevaluated :class:`sympy.Sum`."""

    kind: str = "sum"

    def decide(self, value: Callable) -> Decision:
        term, (s, lo, hi) = value(self.lhs.function), self.lhs.limits[0]
        got = sp.summation(sp.gammasimp(term.doit()), (s, lo, hi))
        if got.has(sp.Sum):
            raise Undecided(f"{self.ref}: no closed form for {self.lhs}")
        got = sp.factor(sp.gammasimp(got))
        r = _same(got, value(self.rhs))
        if r == 0:
            return Decision(True, r)
        return Decision(False, nice(r), (self.lhs, nice(got)), "the exact sum")


@dataclass(frozen=True)
class ForAll(Claim):
    """``lhs`` (a relation in ``var``) for every integer ``var >= lo``; ``rhs`` is ``True``."""

    var: sp.Symbol = t
    lo: int = 1
    kind: str = "for all"

    def decide(self, value: Callable) -> Decision:
        rel = value(self.lhs)
        if rel in (sp.true, sp.false):
            bad = sp.S.EmptySet if rel == sp.true else sp.Interval(self.lo, sp.oo)
        else:
            extra = rel.free_symbols - {self.var}
            if extra:
                raise Undecided(f"{self.ref}: {sorted(map(str, extra))} must be fixed (the assumptions) to decide it")
            real = sp.Dummy("v", real=True)
            bad = sp.solveset(sp.Not(rel.subs(self.var, real)), real, sp.Reals)
        bad = sp.Intersection(bad, sp.Interval(self.lo, sp.oo))
        first = _first_integer(bad, self.lo)
        if first is None:
            return Decision(True, sp.Integer(0))
        last = _last_integer(bad)
        how = f"fails at {self.var} = {first}"
        if last is None:
            return Decision(False, sp.Integer(first), None, how)
        fixed = ForAll(self.ref, self.lhs, sp.true, var=self.var, lo=last + 1).decide(value)
        assert fixed.holds, "the first step after the last violation cannot violate"
        return Decision(False, sp.Integer(first), (self.lhs, sp.true),
                        how + f"; holds for every integer {self.var} >= {last + 1}")


def _intervals(s):
    if s.is_empty:
        return []
    if isinstance(s, sp.Union):
        return [i for a in s.args for i in _intervals(a)]
    if isinstance(s, sp.FiniteSet):
        return [sp.Interval(p, p) for p in s]
    if isinstance(s, sp.Interval):
        return [s]
    raise Undecided(f"cannot enumerate the integers of {s}")


def _first_integer(s, lo) -> int | None:
    for iv in sorted(_intervals(s), key=lambda i: i.inf):
        k = max(sp.ceiling(iv.inf), lo)
        if k == iv.inf and iv.left_open:
            k += 1
        if iv.contains(k) == sp.true:
            return int(k)
    return None


def _last_integer(s) -> int | None:
    """The largest integer in ``s`` (None when ``s`` is unbounded above)."""
    sup = s.sup
    if sup == sp.oo:
        return None
    k = sp.floor(sup)
    return int(k if s.contains(k) == sp.true else k - 1)


@dataclass(frozen=True)
class Explicit(Claim):
    """The printed step ``lhs <- rhs`` is explicit: ``rhs``, with the ``lines`` printed with it substituted
    (``{atom: expression}``), does not read ``lhs``.  ``rhs`` is the printed right side."""

    lines: Mapping = field(default_factory=dict)
    kind: str = "explicit"

    def decide(self, value: Callable) -> Decision:
        rhs = value(self.rhs)
        for _ in range(len(self.lines) + 1):
            rhs = rhs.xreplace({k: value(v) for k, v in self.lines.items()})
        reads = sorted((a for a in rhs.atoms(sp.Function) if a.has(self.lhs) and a != self.lhs), key=sp.default_sort_key)
        if rhs.has(self.lhs):
            shown = reads[0] if reads else self.lhs
            return Decision(False, shown, None, f"implicit: the right side reads {shown}")
        return Decision(True, sp.Integer(0))


KINDS = (Limit, Sum, ForAll, Explicit)


def is_kind(claim) -> bool:
    return isinstance(claim, KINDS)


def kind_of(claim) -> str:
    return getattr(claim, "kind", "equation")


def map_values(mp) -> dict:
    """The derived coefficients as functions of the step (``{beta_a: expression of t, ...}``)."""
    from .symbols import alpha_a, beta_a, eta_a, gamma_avg

    if mp is None:
        return {}
    out = {beta_a: mp.beta_a, eta_a: mp.eta_a, alpha_a: mp.alpha_a}
    if mp.gamma_avg is not None:
        out[gamma_avg] = mp.gamma_avg
    return out


def evaluator(coefficients: Mapping, setting: Mapping) -> Callable:
    """``value(expr)``: the coefficients substituted at any index, then the setting applied."""
    from .algebra import substitute_function
    from .claims import specialise

    def value(expr):
        expr = sp.sympify(expr)
        for f, body in coefficients.items():
            expr = substitute_function(expr, f, body)
        return specialise(expr, setting)

    return value


def check_statement(claim, coefficients: Mapping, setting: Mapping) -> Decision:
    return claim.decide(evaluator(coefficients, setting))
