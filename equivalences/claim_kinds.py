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
from functools import lru_cache
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


POSITIVE_CONSTANT = sp.Symbol("C (a constant, 0 < C < oo)")
"""The right side of a proportionality statement "a grows proportionally to b": lim a/b = C, 0 < C < oo."""


@dataclass(frozen=True)
class Limit(Claim):
    """``lim_{var -> point} expr = rhs``; ``lhs`` is the unevaluated :class:`sympy.Limit`.  With
    ``rhs = POSITIVE_CONSTANT`` it states a proportionality: the limit is finite and positive."""

    kind: str = "limit"

    def decide(self, value: Callable) -> Decision:
        e, var, point = value(self.lhs.args[0]), self.lhs.args[1], self.lhs.args[2]
        got = exact_limit(evaluate_sums(e), var, point)
        if self.rhs == POSITIVE_CONSTANT:
            ok = got.is_finite and got.is_positive
            if ok:
                return Decision(True, sp.Integer(0))
            return Decision(False, got, (self.lhs, got), "the exact limit is not a positive constant")
        claimed = value(self.rhs)
        r = _same(got, claimed)
        if r == 0:
            return Decision(True, r)
        residual = got - claimed if not got.has(sp.oo, -sp.oo) else got
        return Decision(False, nice(residual), (self.lhs, nice(got)), "the exact limit")


def exact_limit(e, var, point) -> sp.Expr:
    """The limit, exactly: a rational function of ``var`` at infinity by its leading coefficients (cheap),
    anything else by :func:`sympy.limit`."""
    if point == sp.oo:
        e = eventually(e, var)
    e = sp.cancel(sp.together(e))
    if point == sp.oo and e.is_rational_function(var):
        num, den = (sp.Poly(p, var) for p in sp.fraction(e))
        dn, dd = num.degree(), den.degree()
        if dn < dd:
            return sp.Integer(0)
        if dn == dd:
            return sp.cancel(num.LC() / den.LC())
        sign = sp.sign(num.LC() / den.LC())
        if sign in (1, -1):
            return sign * sp.oo
    try:
        got = sp.limit(e, var, point)
    except (NotImplementedError, ValueError) as err:
        raise Undecided(f"no exact limit of {e}: {err}") from None
    if isinstance(got, sp.Limit) or got.has(sp.AccumBounds):
        raise Undecided(f"no exact limit of {e}")
    return got


def eventually(e, var) -> sp.Expr:
    """``e`` for all large ``var``: each Min/Max/Piecewise replaced by its branch whose condition holds on a
    ray ``[K, oo)`` (decided by :func:`sympy.solveset`)."""
    e = e.rewrite(sp.Piecewise) if e.has(sp.Min, sp.Max) else e
    if not e.has(sp.Piecewise):
        return e

    def branch(pw):
        real = sp.Dummy("v", real=True)
        for expr, cond in pw.args:
            truth = sp.S.Reals if cond == sp.true else _truth_set(cond.subs(var, real), real)
            if _contains_ray(truth):
                return expr
        raise Undecided(f"no branch of {pw} holds for all large {var}")

    return e.replace(lambda x: isinstance(x, sp.Piecewise), branch)


def _contains_ray(s) -> bool:
    return any(i.sup == sp.oo for i in _intervals(s))


def limit(ref, expr, value, *, var=t, point=sp.oo, **kw) -> Limit:
    return Limit(ref, sp.Limit(expr, var, point), sp.sympify(value), **kw)


def asymptotic(ref, expr, model, *, var=t, **kw) -> Limit:
    """``expr ~ model`` as ``var -> oo``: ``lim expr / model = 1``."""
    return Limit(ref, sp.Limit(expr / model, var, sp.oo), sp.Integer(1), **kw)


def proportional(ref, expr, rate, *, var=t, **kw) -> Limit:
    """``expr`` grows proportionally to ``rate``: ``lim expr / rate`` is a positive constant."""
    return Limit(ref, sp.Limit(expr / rate, var, sp.oo), POSITIVE_CONSTANT, **kw)


def exact_sum(term, limits) -> sp.Expr:
    """``sum term`` over ``limits = (s, lo, hi)``, exactly; a polynomial in ``s`` over a denominator free of ``s``
    (the weights of an average after their products are evaluated) by Faulhaber's formulas, else
    :func:`sympy.summation`."""
    s = limits[0]
    term = sp.gammasimp(sp.sympify(term).doit())
    num, den = sp.fraction(sp.cancel(sp.together(term)))
    if not den.has(s) and num.is_polynomial(s):  # monomial by monomial: Faulhaber's formula for each power
        total = _polynomial_sum(num, limits)
        if total is None:
            total = sp.Add(*(c * _power_sum(k, limits) for (k,), c in sp.Poly(num, s).terms()))
        return sp.cancel(total / den)
    got = sp.summation(term, limits)
    if got.has(sp.Sum):
        raise Undecided(f"no closed form for the sum of {term}")
    return sp.factor(sp.gammasimp(got))


def _power_sum(k: int, limits) -> sp.Expr:
    """``sum_{s=lo}^{hi} s**k`` in closed form."""
    s, lo, hi = limits
    return sp.expand(sp.summation(s ** k, (s, lo, hi)))


@lru_cache(maxsize=None)
def _faulhaber(k: int) -> tuple:
    """The coefficients (highest first) of ``F_k(x) = sum_{s=0}^{x-1} s**k = (B_{k+1}(x) - B_{k+1}(0)) / (k + 1)``,
    ``B`` the Bernoulli polynomials: exact rationals."""
    x = sp.Dummy("x")
    F = sp.Poly((sp.bernoulli(k + 1, x) - sp.bernoulli(k + 1, 0)) / (k + 1), x, domain=sp.QQ)
    return tuple(F.all_coeffs())


def _polynomial_sum(num, limits) -> sp.Expr | None:
    """``sum_{s=lo}^{hi} num`` for ``num`` a polynomial in ``s`` whose coefficients, and the limits, are polynomials
    over QQ in symbols: ``sum_k c_k (F_k(hi + 1) - F_k(lo))`` (:func:`_faulhaber`), in a sparse polynomial ring,
    which is sympy's ``summation`` of the same powers (Karr's convention) without its symbolic search.  None
    where ``num`` or the limits do not fit the ring (a sequence value in a coefficient): the caller sums power by
    power."""
    s, lo, hi = limits
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    gens = sorted((num.free_symbols | lo.free_symbols | hi.free_symbols) - {s}, key=sp.default_sort_key)
    try:
        R, *_ = sp.ring(gens or [sp.Dummy("c")], sp.QQ)
        full, *_ = sp.ring([s, *(gens or [R.gens[0].as_expr()])], sp.QQ)
        p, top, bottom = full(num), R(hi + 1), R(lo)
    except (sp.PolynomialError, ValueError, TypeError, NotImplementedError):
        return None
    by_power: dict = {}
    for monom, c in p.terms():
        by_power[monom[0]] = by_power.get(monom[0], R.zero) + R({monom[1:]: c})

    def horner(coeffs, y):
        out = R.zero
        for c in coeffs:
            out = out * y + c
        return out

    total = R.zero
    for k, c in by_power.items():
        F = _faulhaber(k)
        total += c * (horner(F, top) - horner(F, bottom))
    return total.as_expr()


def evaluate_sums(e) -> sp.Expr:
    return e.replace(lambda x: isinstance(x, sp.Sum), lambda x: exact_sum(x.function, x.limits[0]))


@dataclass(frozen=True)
class Sum(Claim):
    """``sum_{s=lo}^{hi} term = rhs``; ``lhs`` is the unevaluated :class:`sympy.Sum`."""

    kind: str = "sum"

    def decide(self, value: Callable) -> Decision:
        got = exact_sum(value(self.lhs.function), self.lhs.limits[0])
        r = _same(got, value(self.rhs))
        if r == 0:
            return Decision(True, r)
        return Decision(False, nice(r), (self.lhs, nice(got)), "the exact sum")


@dataclass(frozen=True)
class ForAll(Claim):
    """``lhs`` (a relation in ``var``) for every integer ``var >= lo``; ``rhs`` is ``True``."""

    var: sp.Symbol = t
    lo: int = 1
    hi: int | None = None
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
            bad = sp.Complement(sp.Reals, _truth_set(rel.subs(self.var, real), real))
        bad = sp.Intersection(bad, sp.Interval(self.lo, sp.oo if self.hi is None else self.hi))
        first = _first_integer(bad, self.lo)
        if first is None:
            return Decision(True, sp.Integer(0))
        last = _last_integer(bad)
        how = f"fails at {self.var} = {first}"
        if last is None or (self.hi is not None and last >= self.hi):
            return Decision(False, sp.Integer(first), None, how + " and at arbitrarily late steps: it holds from no step on")
        fixed = ForAll(self.ref, self.lhs, sp.true, var=self.var, lo=last + 1, hi=self.hi).decide(value)
        assert fixed.holds, "the first step after the last violation cannot violate"
        return Decision(False, sp.Integer(first), (self.lhs, sp.true),
                        how + f"; holds for every integer {self.var} >= {last + 1}")


def _truth_set(rel, var) -> sp.Set:
    """The real ``var`` where ``rel`` (relations joined by And/Or) holds: a relation between rational functions of
    ``var`` alone by sign analysis at the exact real roots of their numerator and denominator (sympy's
    ``reduce_rational_inequalities``), anything else by :func:`sympy.solveset`."""
    if isinstance(rel, sp.And):
        return sp.Intersection(*(_truth_set(a, var) for a in rel.args))
    if isinstance(rel, sp.Or):
        return sp.Union(*(_truth_set(a, var) for a in rel.args))
    if isinstance(rel, _RATIONAL_RELATIONS) and (rel.lhs - rel.rhs).is_rational_function(var) \
            and (rel.lhs - rel.rhs).free_symbols <= {var}:  # sign analysis at exact real roots: no periodicity search
        from sympy.solvers.inequalities import reduce_rational_inequalities

        return reduce_rational_inequalities([[rel]], var, relational=False)
    return sp.solveset(sp.together(rel.lhs - rel.rhs) if isinstance(rel, sp.Eq) else rel, var, sp.Reals) \
        if isinstance(rel, sp.Eq) else sp.solveset(rel, var, sp.Reals)


_RATIONAL_RELATIONS = (sp.Eq, sp.Ne, sp.Lt, sp.Le, sp.Gt, sp.Ge)


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
            from .printing import text

            return Decision(False, shown, None, f"implicit: the right side reads {text(shown)}")
        return Decision(True, sp.Integer(0))


KINDS = (Limit, Sum, ForAll, Explicit)

s_, j_, T_, N_ = sp.symbols("s j T N", integer=True, positive=True)
"""Summation indices: ``s`` an iterate, ``j`` a step of a product, ``T`` the last step, ``N`` a scale (``T = 10 N``)."""


def average_weight(gamma, s=s_, T=T_, j=j_) -> sp.Expr:
    """The weight of iterate ``s`` in ``e_T`` when ``e_t = (1 - gamma_t) e_(t-1) + gamma_t w_t``:
    ``gamma_s prod_(j=s+1)^T (1 - gamma_j)``."""
    return gamma(s) * sp.Product(1 - gamma(j), (j, s + 1, T))


def is_kind(claim) -> bool:
    return isinstance(claim, KINDS)


def kind_of(claim) -> str:
    return getattr(claim, "kind", "equation")


def map_values(mp) -> dict:
    """The derived coefficients as functions of the step (``{beta_a: expression of t, ...}``)."""
    from .symbols import gamma_avg

    if mp is None:
        return {}
    out = {c.symbol: e for c, e in mp.coefficients()}
    if mp.gamma_avg is not None:
        out[gamma_avg] = mp.gamma_avg
    return out


def evaluator(coefficients: Mapping, setting: Mapping) -> Callable:
    """``value(expr)``: the coefficients substituted at any index, then the setting applied."""
    from .algebra import specialise, substitute_function

    def value(expr):
        expr = sp.sympify(expr)
        for f, body in coefficients.items():
            expr = substitute_function(expr, f, body)
        return specialise(expr, setting)

    return value


def check_statement(claim, coefficients: Mapping, setting: Mapping) -> Decision:
    try:
        return claim.decide(evaluator(coefficients, setting))
    except Undecided:
        raise
    except (NotImplementedError, ValueError, TypeError) as err:  # sympy could not settle it: say so, never guess
        raise Undecided(f"{claim.ref}: {err}") from None
