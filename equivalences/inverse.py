"""The inverse of a map: from the coefficients of Eq. (1) back to a method's own hyperparameters.

A method's derived map (:func:`equivalences.derive.derive`) sends its constants and schedules to
the coefficient sequences of Eq. (1).  Two methods trace the same query points from the same start,
for every gradient sequence, exactly when their accelerated forms coincide::

    K_t eta_a,t   (TO) = K_t eta_a,t   (target)     every t >= t0     (weight on m_a,t)
    K_t alpha_a,t (TO) = K_t alpha_a,t (target)     every t >= t0     (extra weight on u_t)
    beta_a,t      (TO) = beta_a,t      (target)     every t >= t0 + 1 (older gradients)
    beta_a,t0 m_init (TO) = beta_a,t0 m_init (target)                 (the start)
    gamma_avg,t   (TO) = gamma_avg,t   (target)     every t >= t0 + 1 (when both average)

(the weight of ``g_s`` in step ``t`` is ``K_t eta_a,t beta_a,t ... beta_a,s+1`` for ``s < t`` and
``K_t (eta_a,t + alpha_a,t)`` for ``s = t``; where ``K_t eta_a,t != 0`` these are the equations above).
A linear ``Post`` (a diagonal preconditioner) commutes with ``K_t``, so only the products
``K eta_a`` and ``K alpha_a`` count; ``sign`` is positively homogeneous, so there ``K_t`` must match
and ``(eta_a, alpha_a)`` only up to a positive factor per step (``eta_a alpha_a' = alpha_a eta_a'``).
Both sides must apply the same transforms: same kind, same position (``Pre``/``Post``), the same
input and the same parameters (those become equations too).

This module solves these equations for the TO method's unknowns (its constants and its schedule
values), exactly, with sympy.  It never imports numeric code.

API (stable)
------------
``Target``
    The coefficient sequences to produce.  Build it with

    * ``Target.of_method(method, mp=None)`` -- a method's own map (``mp`` defaults to
      ``derive(method)``): the *symbolic* mode.  The target's expressions may use that method's
      constants and schedules; solutions come out as exact expressions of them and of ``t``.
    * ``Target.sequences(beta_a, eta_a, alpha_a, *, t0, gamma_avg=None, K=None, m_init=0, post=None,
      pre=None)`` -- the *numeric* mode: each sequence is ``{step: number}`` (ints, exact
      ``Rational``/``Fraction`` or floats) for the steps ``t0 .. t0 + T - 1``; ``K`` defaults to 1.

``invert(method, target, *, mp=None) -> Inverse``  (symbolic mode)
    Solve ``method``'s map = ``target``.  ``Inverse`` fields:

    * ``method``: the TO method's key; ``exists``: ``"always" | "conditional" | "never"``;
    * ``constants``: ``{name: sympy expr}`` -- the TO constants, in the target's parameters (and in
      ``t`` when the value must be the same for every ``t``: a condition says so);
    * ``schedules``: ``{name: sympy expr of t}`` -- the TO schedule at the TO method's step ``t``;
    * ``conditions``: ``[Condition]``; each has ``text`` and ``kind``: ``"identity"`` (``expr = 0``
      for every ``t >= start``), ``"constant"`` (``expr`` takes the same value at every
      ``t >= start``), ``"domain"`` (``expr`` lies in ``domain``) or ``"recurrence"`` (``expr = 0`` has a
      solution in TO's remaining schedules);
    * ``reason``: with ``"never"``, which coefficient the method cannot produce and why;
    * ``chosen``: unknowns the equations leave free, each fixed to a neutral value (``{name: value}``);
    * ``free``: TO's hyperparameters no equation constrains (any value works; the formulas may use them),
      ``{name: the method's declared default or None}``;
    * ``recurrence``: True when the equations tie TO's schedules across steps; the formulas then use
      those schedules and a ``"recurrence"`` condition asks for a solution of what is left;
    * ``branch``: constants with a finite domain fixed up front on this branch (``{"nesterov": 1}``);
    * ``notes_other``: where the target has a constant of finite domain and the answer depends on its value,
      the answer at its other values (text);
    * ``alternatives``: the other branches considered (e.g. ``nesterov = 0``), as ``Inverse`` objects;
    * ``offset``: TO step = target step - ``offset`` (``t0`` of the target minus ``t0`` of TO).

``invert_sequences(method, target, *, mp=None, tolerance=None) -> SequenceMatch``  (numeric mode)
    Never raises on a method it cannot match.  ``SequenceMatch`` fields: ``method``, ``matched``
    (bool), ``misfit`` (max over steps and coefficients of ``|TO - target| / max(|TO|, |target|)``,
    float, ``inf`` when no candidate), ``constants`` ``{name: value}``, ``schedules``
    ``{name: {step: value}}`` (TO's own steps, only where the target determines them), ``reason`` (why
    not matched), ``exists``/``conditions`` of the generic symbolic solve, ``chosen``.
    ``tolerance`` defaults to 0 for exact targets and ``1e-9`` for float ones.

``structure_mismatch(method, mp, target) -> str | None``
    The preconditioner/sign rule alone: a sentence when the transforms differ in kind, position or
    input, else ``None``.

Every solution is checked against ``method.domain`` (constants; a schedule whose default is a
bounded parameter inherits its domain): a value outside it makes that branch fail, with the reason;
a symbolic value that cannot be decided becomes a ``"domain"`` condition.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import _positive_first, canonical, linear_coefficients, substitute_function
from .declare import Method, Transform
from .derivation import derivation
from .derive import Map
from .symbols import alpha_a, beta_a, eta_a, g, gamma_avg, t

K_a = sp.Function("K_a")
"""The scalar in front of a nonlinear ``Post`` in a numeric target (``K_t``)."""

RANK = {"always": 0, "conditional": 1, "never": 2}


# ----------------------------------------------------------------------------------------------- target


@dataclass(frozen=True)
class Target:
    """Coefficient sequences to reproduce, as expressions of the target's step ``t``."""

    beta_a: sp.Expr
    eta_a: sp.Expr
    alpha_a: sp.Expr
    t0: int = 1
    K: sp.Expr = sp.Integer(1)
    m_init: sp.Expr = sp.Integer(0)
    post: Transform | None = None
    pre: Transform | None = None
    gamma_avg: sp.Expr | None = None
    avg_init: sp.Expr | None = None
    name: str = "target"
    constants: tuple = ()
    schedules: tuple = ()
    domain: Mapping = field(default_factory=dict)
    schedule_domains: Mapping = field(default_factory=dict)
    """Domains of the target's schedules where their defaults state one (:func:`schedule_domain`)."""
    positive: tuple = ()
    """Schedules of the target known to be positive (their default is, for every valid parameter)."""
    values: Mapping | None = None
    """Numeric mode: ``{function: {step: exact number}}`` for ``beta_a, eta_a, alpha_a, K_a, gamma_avg``."""

    @classmethod
    def of_method(cls, method: Method, mp: Map | None = None) -> "Target":
        mp = mp or derivation(method).map
        return cls(mp.beta_a, mp.eta_a, mp.alpha_a, t0=method.t0, K=mp.K, m_init=mp.m_init, post=mp.post,
                   pre=method.pre, gamma_avg=mp.gamma_avg, avg_init=mp.avg_init, name=method.key,
                   constants=tuple(method.constants), schedules=tuple(method.schedules), domain=dict(method.domain),
                   positive=tuple(f for f in method.schedules if _default_positive(method, f)),
                   schedule_domains={f: d for f in method.schedules if (d := schedule_domain(method, f)) is not None})

    @classmethod
    def sequences(cls, beta_a_values, eta_a_values, alpha_a_values, *, t0: int, gamma_avg=None, K=None,
                  m_init=0, post: Transform | None = None, pre: Transform | None = None) -> "Target":
        table = {beta_a: _numbers(beta_a_values), eta_a: _numbers(eta_a_values), alpha_a: _numbers(alpha_a_values)}
        if K is not None:
            table[K_a] = _numbers(K)
        if gamma_avg is not None:
            table[gamma_avg_f] = _numbers(gamma_avg)
        return cls(beta_a(t), eta_a(t), alpha_a(t), t0=t0, K=K_a(t) if K is not None else sp.Integer(1),
                   m_init=sp.sympify(m_init), post=post, pre=pre,
                   gamma_avg=gamma_avg_f(t) if gamma_avg is not None else None,
                   name="sequences", schedules=tuple(table), values=table)


    def renamed(self, taken) -> "Target":
        """The target with every constant or schedule whose name is in ``taken`` renamed ``<name>_from``
        (so that converting a method into one with the same names keeps the two sides apart)."""
        subs, funcs = {}, {}
        for c in self.constants:
            if c.name in taken:
                subs[c] = sp.Symbol(f"{c.name}_from", **c.assumptions0)
        for f in self.schedules:
            if f.__name__ in taken:
                funcs[f] = sp.Function(f"{f.__name__}_from")

        def ren(e):
            if e is None:
                return None
            e = sp.sympify(e).xreplace(subs)
            for f, nf in funcs.items():
                e = e.replace(lambda a, f=f: isinstance(a, AppliedUndef) and a.func == f,
                              lambda a, nf=nf: nf(*a.args))
            return e

        def ren_tr(tr):
            if tr is None:
                return None
            return _renamed_transform(tr, ren)

        return replace(self, beta_a=ren(self.beta_a), eta_a=ren(self.eta_a), alpha_a=ren(self.alpha_a),
                       K=ren(self.K), m_init=ren(self.m_init), gamma_avg=ren(self.gamma_avg),
                       avg_init=ren(self.avg_init), post=ren_tr(self.post), pre=ren_tr(self.pre),
                       constants=tuple(subs.get(c, c) for c in self.constants),
                       schedules=tuple(funcs.get(f, f) for f in self.schedules),
                       domain={subs.get(k, k): v for k, v in self.domain.items()},
                       positive=tuple(funcs.get(f, f) for f in self.positive),
                       schedule_domains={funcs.get(f, f): d for f, d in self.schedule_domains.items()})


@dataclass(frozen=True)
class _TransformView:
    """A transform's kind, parameters and input as the target sees them (renamed); never registered."""

    name: str
    kind: str
    params: Mapping
    input: sp.Expr | None

    @property
    def linear(self) -> bool:
        return self.kind != "sign"


def _renamed_transform(tr, ren):
    return _TransformView(tr.name, tr.kind, {k: ren(v) for k, v in tr.params.items()},
                          None if tr.input is None else ren(tr.input))


gamma_avg_f = gamma_avg


def _numbers(seq) -> dict:
    out = {}
    for k, v in dict(seq).items():
        if isinstance(v, Fraction):
            v = sp.Rational(v.numerator, v.denominator)
        out[int(k)] = sp.sympify(v)
    return out


# ----------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Condition:
    """A requirement on the target's settings: ``identity`` (``expr = 0`` for t >= start), ``constant``
    (``expr`` the same at every t >= start) or ``domain`` (``expr`` in ``domain``)."""

    kind: str
    expr: sp.Expr
    start: int | None = None
    domain: sp.Set | None = None
    coefficient: str = ""
    name: str = ""
    """The TO hyperparameter the condition is about (a constant that must not change, a value in a domain)."""

    @property
    def text(self) -> str:
        e = show(self.expr)
        if self.kind == "identity":
            num, den = sp.fraction(sp.together(self.expr))
            lhs, rhs = _sides(sp.expand(num))
            return f"{lhs} = {rhs}" + (f" for t >= {self.start}" if self.start is not None else "")
        if self.kind == "recurrence":
            num = sp.numer(sp.together(self.expr))
            lhs, rhs = _sides(sp.expand(num))
            return (f"{lhs} = {rhs}" + (f" for t >= {self.start}" if self.start is not None else "")
                    + f" has a solution ({self.coefficient})")
        named = f"{self.name} = {e}" if self.name else e
        if self.kind == "constant":
            return f"{named} is the same for every t >= {self.start}"
        return f"{named} {set_text(self.domain)}"


def show(e) -> str:
    """``sstr``, except that ``k + r`` with a number ``k`` is written ``k - (-r)`` / ``k + r`` (``1 - x``)."""
    e = sp.sympify(e)
    if isinstance(e, sp.Add) and len(e.args) == 2:
        ks = [a for a in e.args if a.is_number]
        rest = [a for a in e.args if not a.is_number]
        if len(ks) == 1 and len(rest) == 1:
            k, r = ks[0], rest[0]
            return f"{sp.sstr(k)} - {sp.sstr(-r)}" if r.could_extract_minus_sign() else f"{sp.sstr(k)} + {sp.sstr(r)}"
    return sp.sstr(e)


def set_text(dom: sp.Set) -> str:
    """``in [0, 1)``, ``> 0``, ``in {0, 1}``: a domain as a reader writes it."""
    if isinstance(dom, sp.Interval):
        a, b = dom.start, dom.end
        if b is sp.oo and a is -sp.oo:
            return "is real"
        if b is sp.oo:
            return f"{'>' if dom.left_open else '>='} {sp.sstr(a)}"
        if a is -sp.oo:
            return f"{'<' if dom.right_open else '<='} {sp.sstr(b)}"
        return f"in {'(' if dom.left_open else '['}{sp.sstr(a)}, {sp.sstr(b)}{')' if dom.right_open else ']'}"
    if isinstance(dom, sp.FiniteSet):
        return "in {" + ", ".join(sp.sstr(x) for x in dom) + "}"
    return f"in {sp.sstr(dom)}"


def _sides(expr):
    """``a - b`` as ``a = b`` (positive terms left, negative right)."""
    terms = sp.Add.make_args(expr)
    pos = [x for x in terms if not x.could_extract_minus_sign()]
    neg = [-x for x in terms if x.could_extract_minus_sign()]
    if not pos:
        pos, neg = neg, pos
    return sp.sstr(nice(sp.Add(*pos))), sp.sstr(nice(sp.Add(*neg)))


@dataclass
class Inverse:
    method: str
    exists: str
    constants: dict = field(default_factory=dict)
    schedules: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    reason: str | None = None
    chosen: dict = field(default_factory=dict)
    alternatives: list = field(default_factory=list)
    offset: int = 0
    branch: dict = field(default_factory=dict)
    """Values fixed up front on this branch (a constant with a finite domain, e.g. ``nesterov = 1``)."""
    recurrence: bool = False
    """True when schedules stay tied across steps: the formulas use them and a condition asks for a solution."""
    notes_other: list = field(default_factory=list)
    """With a target constant of finite domain: the answer at its other values (text)."""
    free: dict = field(default_factory=dict)
    """TO's hyperparameters no equation constrains: any value works (the formulas may use them); the value is
    the method's declared default (None when it has none)."""

    @property
    def condition_text(self) -> str | None:
        return " and ".join(c.text for c in self.conditions) or None


@dataclass
class SequenceMatch:
    method: str
    matched: bool
    misfit: float
    constants: dict = field(default_factory=dict)
    schedules: dict = field(default_factory=dict)
    reason: str | None = None
    exists: str = "never"
    conditions: list = field(default_factory=list)
    chosen: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------- structure


def _transform_signature(tr: Transform | None):
    if tr is None:
        return None
    return tr.kind


def _kind_words(kind: str) -> str:
    return {"adam": "diagonal (Adam) preconditioner", "sign": "sign"}.get(kind, f"{kind} transform")


def structure_mismatch(method: Method, mp: Map, target: Target) -> str | None:
    """The preconditioner/sign rule: both sides apply the same kind of transform at the same place."""
    for where, ours, theirs in (("before the momentum (Pre)", method.pre, target.pre),
                                ("after the momentum (Post)", mp.post, target.post)):
        a, b = _transform_signature(ours), _transform_signature(theirs)
        if a == b:
            continue
        if a is None:
            return (f"{target.name} applies a {_kind_words(b)} {where} and {method.key} applies none: "
                    f"a method without it cannot reproduce one with it")
        if b is None:
            return (f"{method.key} applies a {_kind_words(a)} {where} and {target.name} applies none: "
                    f"a method with it never reproduces one without it")
        return f"{method.key} applies a {_kind_words(a)} {where}, {target.name} a {_kind_words(b)}"
    return None


def _transform_equations(ours: Transform | None, theirs: Transform | None, offset: int):
    """Equal parameters and equal input of two transforms of the same kind, as equations."""
    eqs = []
    if ours is None or theirs is None:
        return eqs
    for name in sorted(set(ours.params) | set(theirs.params)):
        if name in ours.params and name in theirs.params:
            eqs.append((sp.sympify(ours.params[name]) - sp.sympify(theirs.params[name]).subs(t, t + offset),
                        None, f"the {ours.kind} parameter {name}"))
    a = sp.sympify(ours.input if ours.input is not None else g(t))
    b = sp.sympify(theirs.input if theirs.input is not None else g(t)).subs(t, t + offset)
    diff = canonical(a - b.replace(lambda e: isinstance(e, AppliedUndef) and e.func == g,
                                   lambda e: g(e.args[0] - offset)))
    atoms = sorted(diff.atoms(AppliedUndef) & {x for x in diff.atoms(AppliedUndef) if x.func == g},
                   key=sp.default_sort_key)
    if atoms:
        coeffs, rest = linear_coefficients(diff, atoms)
        eqs += [(c, None, f"the input of the {ours.kind} transform") for c in coeffs.values()]
    return eqs


# ----------------------------------------------------------------------------------------------- domains


def schedule_domain(method: Method, f) -> sp.Set | None:
    """A schedule's domain, read from its default: a bare parameter's domain, or the union over the
    pieces of a piecewise default (numbers and parameters).  ``None`` when it cannot be read."""
    d = method.defaults.get(f)
    if d is None:
        return None
    d = sp.sympify(d)
    pieces = [e for e, _ in d.args] if isinstance(d, sp.Piecewise) else [d]
    out = sp.EmptySet
    for p in pieces:
        if p.is_number:
            out = out | sp.FiniteSet(p)
        elif isinstance(p, sp.Symbol) and p in method.domain:
            out = out | method.domain[p]
        else:
            return None
    return out


def _default_positive(method: Method, f) -> bool:
    """Whether ``f``'s default is positive at every step for every valid value of its parameters."""
    d = method.defaults.get(f)
    if d is None:
        return False
    n = sp.Symbol("n", integer=True, positive=True)
    stand = {s: sp.Symbol(s.name, positive=True) for s, dom in method.domain.items()
             if isinstance(s, sp.Symbol) and dom.is_subset(sp.Interval.open(0, sp.oo))}
    try:
        return bool(sp.sympify(d).xreplace(stand).subs(t, n + method.t0 - 1).is_positive)
    except (TypeError, ValueError):
        return False


def _domain_of(method: Method, unknown) -> sp.Set | None:
    if isinstance(unknown, sp.Symbol):
        return method.domain.get(unknown)
    return schedule_domain(method, unknown)


def _name(unknown) -> str:
    return unknown.name if isinstance(unknown, sp.Symbol) else unknown.__name__


def _positive_stand_ins(target: Target) -> dict:
    """Target parameters whose domain is positive, as positive symbols (to decide signs)."""
    out = {}
    for s, dom in target.domain.items():
        if isinstance(s, sp.Symbol) and dom.is_subset(sp.Interval.open(0, sp.oo)):
            out[s] = sp.Symbol(s.name, positive=True)
    return out


def _positive_schedules(expr, target: Target):
    """Applications of the target's positive schedules replaced by positive symbols."""
    pos = set(target.positive)
    return sp.sympify(expr).replace(lambda a: isinstance(a, AppliedUndef) and a.func in pos,
                                    lambda a: sp.Symbol(f"{a.func.__name__}_{a.args[0]}_", positive=True))


def _in_domain(value, dom: sp.Set, target: Target):
    """True / False when decided, None when the value is symbolic and undecided."""
    v = sp.sympify(value)
    if isinstance(v, sp.Symbol) and v in target.domain:
        if target.domain[v].is_subset(dom):
            return True
    if isinstance(v, AppliedUndef) and v.func in target.schedule_domains:
        if target.schedule_domains[v.func].is_subset(dom):
            return True
    if v.is_number:
        try:
            return bool(dom.contains(v))
        except TypeError:
            return None
    return True if _holds_throughout(v, dom, target) else None


def _interior(target: Target) -> dict:
    """Each bounded-below parameter of the target as a point strictly inside its interval:
    ``a + (b - a)/(1 + s)`` or ``a + s`` with ``s > 0``."""
    out = {}
    for x, dom in target.domain.items():
        if not isinstance(x, sp.Symbol) or not isinstance(dom, sp.Interval) or not dom.start.is_finite:
            continue
        s = sp.Symbol(f"{x.name}_s_", positive=True)
        out[x] = dom.start + (s if not dom.end.is_finite else (dom.end - dom.start) / (1 + s))
    return out


def _holds_throughout(v, dom: sp.Set, target: Target) -> bool:
    return _holds_cached(v, dom, tuple(sorted(target.domain.items(), key=lambda kv: sp.default_sort_key(kv[0]))),
                         tuple(target.positive))


@functools.lru_cache(maxsize=4096)
def _holds_cached(v, dom, domain_items, positive) -> bool:
    return _holds(v, dom, _DomainView(dict(domain_items), positive))


@dataclass(frozen=True)
class _DomainView:
    domain: dict
    positive: tuple


def _holds(v, dom: sp.Set, target) -> bool:
    """``v`` in ``dom`` for every value of the target's parameters in their domains (inside and at each
    closed end) and every positive value of its positive schedules -- proved, or False (not decided)."""
    inner = _interior(target)

    def decided(expr):
        try:
            res = dom.contains(_positive_schedules(_rational_form(expr), target))
        except TypeError:
            return False
        return res == sp.true

    finite = [x for x, d in target.domain.items() if isinstance(d, sp.FiniteSet) and v.has(x)]
    for values in itertools.product(*(list(target.domain[x]) for x in finite)):
        w = v.xreplace(dict(zip(finite, values)))
        if not decided(w.xreplace(inner)):
            return False
        for x, dom_x in target.domain.items():
            if x in inner and w.has(x):
                for end, closed in ((dom_x.start, not dom_x.left_open), (dom_x.end, not dom_x.right_open)):
                    if closed and end.is_finite and not decided(w.xreplace({**inner, x: end})):
                        return False
    return True


# ----------------------------------------------------------------------------------------------- solver


def _equations(method: Method, mp: Map, target: Target, offset: int):
    """``(expr, start, coefficient)``: ``expr = 0`` for every TO step ``t >= start`` (None: no ``t``)."""
    tg = lambda e: sp.sympify(e).subs(t, t + offset)  # noqa: E731 -- the target at the TO step t
    t0 = method.t0
    eqs = []
    sign = mp.post is not None and not mp.post.linear
    if sign:
        eqs.append((mp.K - tg(target.K), t0, "K (the step size in front of sign)"))
        eqs.append((mp.eta_a * tg(target.alpha_a) - mp.alpha_a * tg(target.eta_a), t0,
                    "eta_a : alpha_a (the direction inside sign)"))
    else:
        eqs.append((mp.K * mp.eta_a - tg(target.K * target.eta_a), t0, "eta_a"))
        eqs.append((mp.K * mp.alpha_a - tg(target.K * target.alpha_a), t0, "alpha_a"))
    memory = not (canonical(mp.eta_a) == 0 and canonical(target.eta_a) == 0)
    if memory:
        eqs.append((mp.beta_a - tg(target.beta_a), t0 + 1, "beta_a"))
    start = canonical(mp.beta_a.subs(t, t0) * mp.m_init - (target.beta_a * target.m_init).subs(t, target.t0))
    if start != 0:
        eqs.append((start, None, "the initial momentum beta_a,t0 m_init"))
    if mp.gamma_avg is not None and target.gamma_avg is not None:
        eqs.append((mp.gamma_avg - tg(target.gamma_avg), t0 + 1, "gamma_avg (the averaging weight)"))
    eqs += [(e, s, c) for e, s, c in _transform_equations(mp.post, target.post, offset)]
    eqs += [(e, s, c) for e, s, c in _transform_equations(method.pre, target.pre, offset)]
    return eqs


@dataclass
class _State:
    eqs: list
    constants: dict = field(default_factory=dict)  # Symbol -> expr
    schedules: dict = field(default_factory=dict)  # Function -> expr of t
    conditions: list = field(default_factory=list)
    chosen: dict = field(default_factory=dict)
    reason: str | None = None
    original: list = field(default_factory=list)
    recurrence: bool = False
    split: tuple | None = None


@functools.lru_cache(maxsize=65536)
def _rational_form(expr) -> sp.Expr:
    """Rational normal form ``p / q`` (``gcd(p, q) = 1``), exact, by polynomial arithmetic over the
    rationals with every function application and symbol a generator; falls back to
    :func:`~equivalences.algebra.canonical` where a power has the step in its exponent (MARS's
    ``beta1**t``) or a transform is applied."""
    e = sp.sympify(expr)
    if e.is_number:
        return e
    if e.has(sp.zoo, sp.nan, sp.oo):
        return sp.nan
    if any(not isinstance(a, AppliedUndef) for a in e.atoms(sp.Function)):
        return canonical(e)
    atoms = sorted(e.atoms(AppliedUndef), key=sp.default_sort_key)
    if any(p.exp.has(t) for p in e.atoms(sp.Pow)):  # b**(t + k) = b**k * b**t: b**t one generator
        e = sp.expand_power_exp(sp.powsimp(e, combine="exp"))
        atoms += sorted({p for p in e.atoms(sp.Pow) if p.exp == t}, key=sp.default_sort_key)
        if any(p.exp.has(t) and p.exp != t for p in e.atoms(sp.Pow)):
            return canonical(expr)
    dummies = [sp.Dummy() for _ in atoms]
    e = e.xreplace(dict(zip(atoms, dummies)))
    num, den = e.as_numer_denom()
    gens = sorted(num.free_symbols | den.free_symbols, key=sp.default_sort_key)
    if not gens:
        return canonical(expr)
    try:
        (P, Q), _ = sp.parallel_poly_from_expr((num, den), *gens, domain="QQ")
    except (sp.PolificationFailed, sp.GeneratorsNeeded, sp.polys.polyerrors.CoercionFailed):
        return canonical(expr)
    if Q.is_zero:
        return sp.nan
    c, P, Q = P.cancel(Q)
    out = c * P.as_expr() / Q.as_expr()
    return out.xreplace(dict(zip(dummies, atoms)))


@functools.lru_cache(maxsize=65536)
def nice(expr) -> sp.Expr:
    """A readable exact form (as :func:`equivalences.algebra.nice`, on the faster normal form), cached."""
    c = _rational_form(sp.sympify(expr))
    if c.is_number or c is sp.nan:
        return c
    try:
        candidates = [_positive_first(sp.factor(c)), c]
        for k in (sp.Integer(1), sp.Integer(-1)):  # 1 - beta c/((1 - beta)(1 - c)) reads better expanded
            rest = _rational_form(c - k)
            if rest != 0 and not rest.is_number:
                candidates.append(sp.Add(k, _positive_first(sp.factor(rest)), evaluate=False))
    except (sp.PolynomialError, NotImplementedError):
        return c
    return min(candidates, key=lambda e: (sp.count_ops(e), len(str(e))))


def _normal(expr) -> sp.Expr:
    c = _rational_form(expr)
    return sp.numer(c) if not c.is_number else c


def _unknowns_in(expr, constants, schedules):
    syms = [s for s in constants if expr.has(s)]
    apps = sorted({a for a in expr.atoms(AppliedUndef) if a.func in schedules}, key=sp.default_sort_key)
    return syms, apps


def _solve_one(expr, x):
    """Solutions of ``expr = 0`` for ``x`` (exact); linear first, sympy otherwise."""
    d = sp.diff(expr, x)
    if not d.has(x):
        if _rational_form(d) == 0:
            return []
        return [_rational_form(-expr.subs(x, 0) / d)]
    try:
        return [_rational_form(s) for s in sp.solve(expr, x)]
    except (NotImplementedError, ValueError):
        return []


def _substitute(expr, st: _State):
    e = sp.sympify(expr).xreplace(st.constants) if st.constants else sp.sympify(expr)
    for f, body in st.schedules.items():
        e = substitute_function(e, f, body)
    return e


def _classify(expr, start, coefficient, target: Target):
    """A residual with no TO unknown left: None (holds), a Condition, or a reason (impossible)."""
    r = _normal(expr)
    if r == 0:
        return None
    if r.is_number:
        return f"{coefficient}: would need {sp.sstr(r)} = 0"
    has_t = r.has(t) or bool(r.atoms(AppliedUndef))
    if not has_t:
        params = sorted(r.free_symbols, key=lambda s: s.name)
        sols = []
        for p in params:
            sols += [(p, s) for s in _solve_one(r, p)]
        if params and sols and all(s.is_number and p in target.domain and not target.domain[p].contains(s)
                                   for p, s in sols):
            return (f"{coefficient}: would need {sp.sstr(r)} = 0, i.e. "
                    + " or ".join(f"{p} = {s}" for p, s in sols) + ", outside the domain of " + target.name)
    return Condition("identity", r, start, coefficient=coefficient)


def _step(st: _State, method: Method, target: Target):
    """Solve equations until none is left (done) or none can be solved for a single unknown (stuck)."""
    constants = [c for c in method.constants if c not in st.constants]
    schedules = [f for f in method.schedules if f not in st.schedules]
    while True:
        progress = False
        remaining = []
        for expr, start, coef in st.eqs:
            raw = _substitute(expr, st)
            factors = _unknown_factors(raw, constants, schedules)
            if len(factors) > 1:
                st.eqs = [(raw, start, coef)] + [x for x in st.eqs if x[0] is not expr]
                st.split = (0, factors)
                return "split"
            e = _normal(raw)
            syms, apps = _unknowns_in(e, constants, schedules)
            if not syms and not apps:
                res = _classify(e, start, coef, target)
                if isinstance(res, str):
                    st.reason = res
                    return "never"
                if res is not None:
                    st.conditions.append(res)
                continue
            remaining.append((e, start, coef, syms, apps))
        st.eqs = [(e, s, c) for e, s, c, _, _ in remaining]
        if not remaining:
            return "done"
        choice = _pick(remaining)
        if choice is None:
            return "stuck"
        e, start, coef, x = choice
        sols = _solve_one(e, x)
        if not sols:
            st.reason = f"{coef}: {method.key} cannot produce it (no value of {x} solves {sp.sstr(e)} = 0)"
            return "never"
        sol = sols[0]
        if isinstance(x, sp.Symbol):
            if _rational_form(sol.subs(t, t + 1) - sol) != 0 and (sol.has(t) or sol.atoms(AppliedUndef)):
                st.conditions.append(Condition("constant", _rational_form(sol), start, coefficient=coef,
                                               name=x.name))
            st.constants[x] = sol
            constants.remove(x)
        else:
            k = int(x.args[0] - t)
            st.schedules[x.func] = _rational_form(sol.subs(t, t - k))
            schedules.remove(x.func)
        progress = True
        if not progress:
            return "stuck"


def _unknown_factors(e, constants, schedules) -> list:
    """The factors of ``e`` that hold an unknown (a product vanishes when one of them does); only a product
    as written is split (no polynomial factorisation: that is slow and rarely needed)."""
    fs = [b for b in (a.as_base_exp()[0] for a in sp.Mul.make_args(e))]
    return [f for f in fs if any(f.has(c) for c in constants)
            or any(a.func in schedules for a in f.atoms(AppliedUndef))]


def _pick(remaining):
    """An equation and the unknown to solve it for: one unknown first; else a schedule that appears
    at a single step and linearly (a closed form, not a recurrence)."""
    for e, start, coef, syms, apps in remaining:
        if len(syms) + len(apps) == 1:
            return e, start, coef, (syms or apps)[0]
    for e, start, coef, syms, apps in sorted(remaining, key=lambda r: len(r[3]) + len(r[4])):
        funcs = [a.func for a in apps]
        for a in apps:
            if funcs.count(a.func) == 1 and not sp.diff(e, a).has(a):
                return e, start, coef, a
    for e, start, coef, syms, apps in sorted(remaining, key=lambda r: len(r[3]) + len(r[4])):
        if apps:
            continue
        for x in syms:  # several constants in one equation: eliminate one that enters linearly
            if not sp.diff(e, x).has(x):
                return e, start, coef, x
    return None


def _neutral(method: Method, unknown) -> list:
    dom = _domain_of(method, unknown)
    if isinstance(dom, sp.FiniteSet):
        return list(dom)
    vals = [sp.Integer(0), sp.Integer(1)]
    return [v for v in vals if dom is None or dom.contains(v) == sp.true]


def _verdict(st: _State) -> str:
    if st.reason:
        return "never"
    return "conditional" if st.conditions else "always"


def _check_domains(st: _State, method: Method, target: Target):
    for x, v in list(st.constants.items()) + list(st.schedules.items()):
        dom = _domain_of(method, x)
        if dom is None:
            continue
        ok = _in_domain(v, dom, target)
        if ok is False:
            st.reason = (f"{method.key}'s {_name(x)} would be {sp.sstr(nice(v))}, but it must be "
                         f"{set_text(dom)}")
            return
        if ok is None:
            st.conditions.append(Condition("domain", _rational_form(v), domain=dom, coefficient=_name(x),
                                           name=_name(x) if isinstance(x, sp.Symbol) else f"{_name(x)}(t)"))


def _search(st: _State, method: Method, target: Target, depth: int = 2) -> list[_State]:
    """Solve; where unknowns stay free, fix one to a neutral value (0 or 1 in its domain) and go on."""
    outcome = _step(st, method, target)
    if outcome == "split":  # a product = 0: one branch per factor
        i, factors = st.split
        out = []
        for f in factors:
            e, start, coef = st.eqs[i]
            child = _State(st.eqs[:i] + [(f, start, coef)] + st.eqs[i + 1:], dict(st.constants), dict(st.schedules),
                           list(st.conditions), dict(st.chosen), original=st.original)
            out += _search(child, method, target, depth)
            if out and _verdict(out[-1]) == "always":
                break
        return out
    if outcome != "stuck":
        _namesakes(st, method, target)
        _close(st)
        if not st.reason:
            _check_domains(st, method, target)
        return [st]
    free = [f for f in method.schedules if f not in st.schedules
            and any(a.func == f for e, _, _ in st.eqs for a in e.atoms(AppliedUndef))]
    free += [c for c in method.constants if c not in st.constants and any(e.has(c) for e, _, _ in st.eqs)]
    if depth == 0 or not free:
        st.reason = (f"the equations leave {', '.join(map(_name, free))} tied by a recurrence the solver "
                     "does not close")
        return [st]
    out = [_recurrence(st, method, target)] if not st.chosen else []
    for x in free:
        for v in _neutral(method, x) + _target_guesses(x, st, target):
            child = _State(list(st.eqs), dict(st.constants), dict(st.schedules), list(st.conditions),
                           {**st.chosen, _name(x): v}, original=st.original)
            if isinstance(x, sp.Symbol):
                child.constants[x] = v
            else:
                child.schedules[x] = v
            out += _search(child, method, target, depth - 1)
            if out and _verdict(out[-1]) == "always":
                return out
    return out


def _namesakes(st: _State, method: Method, target: Target) -> None:
    """A constant no equation constrains takes the value of the target's constant of the same name (written
    ``<name>_from``), when there is one: converting a method into itself then gives the identity."""
    if st.reason:
        return
    names = {c.name: c for c in target.constants}
    for c in method.constants:
        if c in st.constants:
            continue
        match = names.get(f"{c.name}_from") or names.get(c.name)
        if match is not None:
            st.constants[c] = match
            st.chosen[c.name] = match


def _recurrence(st: _State, method: Method, target: Target) -> _State:
    """The honest answer when the equations tie schedules across steps: the solution in terms of those
    schedules, existing exactly when the remaining equations (a recurrence) have a solution in the domain."""
    leaf = _State(list(st.eqs), dict(st.constants), dict(st.schedules), list(st.conditions), dict(st.chosen),
                  original=[])
    for e, start, coef in leaf.eqs:
        leaf.conditions.append(Condition("recurrence", e, start, coefficient=coef))
    leaf.eqs = []
    _close(leaf)
    leaf.recurrence = True
    return leaf


def _target_guesses(x, st: _State, target: Target) -> list:
    """For a schedule tied by a recurrence: each target schedule of the equations, as is (``f(t) = g(t)``)."""
    if isinstance(x, sp.Symbol):
        return []
    seen = {a.func for e, _, _ in st.eqs for a in e.atoms(AppliedUndef) if a.func in set(target.schedules)}
    return [f(t) for f in target.schedules if f in seen]


def _close(st: _State):
    """Write every solved value in the target's terms only (constants solved later substituted), refuse a
    value that divides by zero, and confirm an unconditional solution on the original equations."""
    for _ in range(3):
        st.constants = {k: _rational_form(_substitute(v, st)) for k, v in st.constants.items()}
        st.schedules = {k: _rational_form(_substitute(v, st)) for k, v in st.schedules.items()}
    st.conditions = [replace(c, expr=_rational_form(_substitute(c.expr, st))) for c in st.conditions]
    st.conditions = [c for c in st.conditions if c.kind == "domain" or _rational_form(c.expr) != 0]
    if st.reason:
        return
    for k, v in list(st.constants.items()) + list(st.schedules.items()):
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            st.reason = f"{_name(k)} would have to divide by zero (with {_chosen_text(st)})"
            return
    for expr, start, coef in st.original:
        r = _normal(_substitute(expr, st))
        if r.has(sp.zoo, sp.nan):
            st.reason = f"{coef}: undefined at the solution (with {_chosen_text(st)})"
            return
        if r != 0 and not st.conditions and canonical(r) != 0:
            st.conditions.append(Condition("identity", _rational_form(r), start, coefficient=coef))


def _chosen_text(st: _State) -> str:
    return ", ".join(f"{k} = {v}" for k, v in st.chosen.items()) or "no free choice"


def _finite_branches(method: Method):
    finite = [c for c in method.constants if isinstance(method.domain.get(c), sp.FiniteSet)]
    if not finite:
        return [{}]
    return [dict(zip(finite, vals)) for vals in itertools.product(*(list(method.domain[c]) for c in finite))]


def _to_inverse(st: _State, method: Method, offset: int, branch: dict) -> Inverse:
    consts = {c.name: _rational_form(st.constants[c]) for c in method.constants if c in st.constants}
    scheds = {f.__name__: _rational_form(st.schedules[f]) for f in method.schedules if f in st.schedules}
    conds = [] if st.reason else _dedupe(st.conditions)
    free = {} if st.reason or st.recurrence else {
        _name(x): sp.sympify(method.defaults.get(x)) if method.defaults.get(x) is not None else None
        for x in list(method.constants) + list(method.schedules) if x not in st.constants and x not in st.schedules}
    return Inverse(method.key, _verdict(st), consts, scheds, conds, st.reason,
                   {k: v for k, v in st.chosen.items()}, [], offset, {c.name: v for c, v in branch.items()},
                   st.recurrence, free=free)


def _dedupe(conditions):
    seen, out = set(), []
    for c in conditions:
        key = (c.kind, _rational_form(c.expr), c.start, c.domain)
        neg = (c.kind, _rational_form(-c.expr), c.start, c.domain)
        if key in seen or neg in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


def invert(method: Method, target: Target, *, mp: Map | None = None) -> Inverse:
    """Solve ``method``'s map = ``target`` for ``method``'s constants and schedules (see the module doc).

    A target constant with a finite domain (``nesterov`` in {0, 1}) is solved value by value; where every
    value gives ``always``, the per-value formulas are joined exactly by Lagrange interpolation over the
    set (``nesterov = 0 (1 - n) + 1 n = n``), else the answer is conditional on the value."""
    mp = mp or derivation(method).map
    finite = [c for c in target.constants if isinstance(target.domain.get(c), sp.FiniteSet)]
    if not finite or target.values is not None:
        return _polished(_invert_one(method, target, mp))
    combos = [dict(zip(finite, vals)) for vals in itertools.product(*(list(target.domain[c]) for c in finite))]
    parts = [(combo, _invert_one(method, _fix_target(target, combo), mp)) for combo in combos]
    return _polished(_join(method, target, parts))


def _polished(inv: Inverse) -> Inverse:
    """The answer in readable exact forms (:func:`nice`); alternatives stay in rational normal form."""
    inv.constants = {k: nice(v) for k, v in inv.constants.items()}
    inv.schedules = {k: nice(v) for k, v in inv.schedules.items()}
    inv.conditions = [replace(c, expr=nice(c.expr)) for c in inv.conditions]
    return inv


def _fix_target(target: Target, values: dict) -> Target:
    def fix(e):
        return None if e is None else sp.sympify(e).xreplace(values)

    def fix_tr(tr):
        return None if tr is None else _renamed_transform(tr, fix)

    return replace(target, beta_a=fix(target.beta_a), eta_a=fix(target.eta_a), alpha_a=fix(target.alpha_a),
                   K=fix(target.K), m_init=fix(target.m_init), gamma_avg=fix(target.gamma_avg),
                   avg_init=fix(target.avg_init), post=fix_tr(target.post), pre=fix_tr(target.pre),
                   constants=tuple(c for c in target.constants if c not in values),
                   domain={k: v for k, v in target.domain.items() if k not in values})


def _lagrange(var, points: list, values: list) -> sp.Expr:
    """The polynomial in ``var`` through ``(points[i], values[i])``: exact on the finite set."""
    out = sp.Integer(0)
    for i, (x_i, y_i) in enumerate(zip(points, values)):
        basis = sp.Integer(1)
        for j, x_j in enumerate(points):
            if j != i:
                basis *= (var - x_j) / (x_i - x_j)
        out += y_i * basis
    return nice(out)


def _join(method: Method, target: Target, parts) -> Inverse:
    """One answer from the answers at each value of the target's finite-domain constants."""
    verdicts = [inv.exists for _, inv in parts]
    if all(v == "never" for v in verdicts):
        first = parts[0][1]
        first.reason = "; ".join(dict.fromkeys(f"at {_combo_text(c)}: {inv.reason}" for c, inv in parts))
        return first
    names_c = [c.name for c in method.constants]
    names_s = [f.__name__ for f in method.schedules]
    if all(v == "always" for v in verdicts) and len(parts[0][0]) == 1:
        var = next(iter(parts[0][0]))
        points = [c[var] for c, _ in parts]
        ok = all(set(inv.constants) == set(parts[0][1].constants) and set(inv.schedules) == set(parts[0][1].schedules)
                 for _, inv in parts)
        if ok:
            joined = replace(parts[0][1], alternatives=[], chosen={k: v for _, inv in parts for k, v in inv.chosen.items()},
                             branch={})
            joined.constants = {n: _lagrange(var, points, [inv.constants[n] for _, inv in parts])
                                for n in names_c if n in parts[0][1].constants}
            joined.schedules = {n: _lagrange(var, points, [inv.schedules[n] for _, inv in parts])
                                for n in names_s if n in parts[0][1].schedules}
            return joined
    ranked = sorted(parts, key=lambda p: (RANK[p[1].exists], len(p[1].conditions)))
    combo, best = ranked[0]
    cond = [Condition("identity", k - v, None, coefficient=f"{method.key} only at this value of {k}")
            for k, v in combo.items()]
    best.conditions = cond + list(best.conditions)
    best.exists = "conditional"
    best.alternatives = [inv for _, inv in ranked[1:] if inv.exists != "never"]
    others = [f"at {_combo_text(c)}: {inv.exists}" + (f" ({inv.reason})" if inv.reason else "")
              for c, inv in ranked[1:]]
    best.reason = None
    best.notes_other = others
    return best


def _combo_text(combo: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in combo.items())


def _invert_one(method: Method, target: Target, mp: Map) -> Inverse:
    offset = target.t0 - method.t0
    clash = structure_mismatch(method, mp, target)
    if clash:
        return Inverse(method.key, "never", reason=clash, offset=offset)
    eqs = _equations(method, mp, target, offset)
    results = []
    for branch in _finite_branches(method):
        first = [(sp.sympify(e).xreplace(branch), s, c) for e, s, c in eqs]
        st = _State(list(first), dict(branch), original=first)
        for leaf in _search(st, method, target):
            results.append(_to_inverse(leaf, method, offset, branch))
    # exact answers first: a condition found after fixing a free unknown is only sufficient
    results.sort(key=lambda r: (RANK[r.exists], r.exists == "conditional" and bool(r.chosen), r.recurrence,
                                len(r.conditions), len(r.chosen)))
    best = results[0]
    best.alternatives = [r for r in results[1:] if r.exists != "never" or best.exists == "never"]
    if best.exists == "never":
        reasons = list(dict.fromkeys(r.reason for r in results))
        best.reason = "; ".join(reasons)
    return best


# ----------------------------------------------------------------------------------------------- numeric


def _at(expr, step: int, values: Mapping):
    """``expr`` at step ``step`` with the numeric target's sequences substituted (None: a value missing)."""
    e = sp.sympify(expr).subs(t, step)
    for a in sorted(e.atoms(AppliedUndef), key=sp.default_sort_key):
        table = values.get(a.func)
        if table is None:
            return None
        k = a.args[0]
        if not k.is_Integer or int(k) not in table:
            return None
        e = e.xreplace({a: table[int(k)]})
    return e


def _rel(a, b) -> float:
    if sp.sympify(a).has(sp.nan, sp.zoo, sp.oo) or sp.sympify(b).has(sp.nan, sp.zoo, sp.oo):
        return float("inf")
    a, b = complex(sp.N(a)), complex(sp.N(b))
    den = max(abs(a), abs(b))
    return 0.0 if den == 0 else abs(a - b) / den


def invert_sequences(method: Method, target: Target, *, mp: Map | None = None, tolerance: float | None = None,
                     ) -> SequenceMatch:
    """Match per-step coefficient values against ``method`` (see the module doc); never raises."""
    try:
        return _invert_sequences(method, target, mp, tolerance)
    except Exception as err:  # noqa: BLE001 -- a method the solver cannot handle is "no match", with why
        return SequenceMatch(method.key, False, float("inf"),
                             reason=f"the solver failed on {method.key}: {type(err).__name__}: {err}")


def _invert_sequences(method, target, mp, tolerance) -> SequenceMatch:
    mp = mp or derivation(method).map
    values = target.values or {}
    exact_target = all(v.is_Rational for table in values.values() for v in table.values())
    tol = tolerance if tolerance is not None else (0.0 if exact_target else 1e-9)
    inv = invert(method, target, mp=mp)
    if inv.exists == "never" and not inv.alternatives:
        return SequenceMatch(method.key, False, float("inf"), reason=inv.reason, exists="never")
    steps = sorted(set.intersection(*(set(tb) for tb in values.values())))
    # every hyperparameter the coefficients depend on must be determined; a constant that only a transform reads
    # (a preconditioner's beta2, eps) is not seen by beta_a, eta_a, alpha_a and stays free here
    # (likewise a schedule only the averaging reads, Accelerated-AdamW's c, when the target has no averaging)
    coefficients = [e for e in (mp.beta_a, mp.eta_a, mp.alpha_a, mp.K) if e is not None]
    if target.gamma_avg is not None and mp.gamma_avg is not None:
        coefficients.append(mp.gamma_avg)
    needed = {x.name for x in method.constants if any(sp.sympify(e).has(x) for e in coefficients)}
    used = {f.__name__ for f in method.schedules if any(a.func == f for e in coefficients
                                                         for a in sp.sympify(e).atoms(AppliedUndef))}
    candidates = [c for c in [inv] + [a for a in inv.alternatives if a.exists != "never"] if not c.recurrence
                  and set(c.constants) >= needed and set(c.schedules) >= used]
    if not candidates:
        return SequenceMatch(method.key, False, float("inf"), exists=inv.exists,
                             conditions=[c.text for c in inv.conditions],
                             reason=f"the equations do not determine every hyperparameter of {method.key} in closed "
                                    f"form ({inv.condition_text or inv.reason})")
    best = None
    for cand in candidates:
        m = _evaluate_candidate(method, mp, target, cand, steps, values)
        if best is None or m.misfit < best.misfit:
            best = m
    best.matched = best.misfit <= tol and best.reason is None
    if not best.matched and best.reason is None:
        best.reason = f"the best fit misses the target by a relative {best.misfit:.3g} (tolerance {tol:g})"
    return best


def _evaluate_candidate(method, mp, target, cand: Inverse, steps, values) -> SequenceMatch:
    offset = cand.offset
    own = [s - offset for s in steps]  # TO's own steps
    consts = {}
    for c in method.constants:
        expr = cand.constants.get(c.name)
        if expr is None:
            continue
        val = None
        for s in own[1:] + own[:1]:  # a constant from beta_a is defined from t0 + 1 on
            val = _at_to(expr, s, offset, values)
            if val is not None:
                break
        consts[c] = val
    scheds = {}
    for f in method.schedules:
        expr = cand.schedules.get(f.__name__)
        if expr is None:
            continue
        tab = {}
        for s in range(own[0] - 1, own[-1] + 2):
            v = _at_to(sp.sympify(expr).xreplace({k: v for k, v in consts.items() if v is not None}), s, offset,
                       values)
            if v is not None:
                tab[s] = v if (v.is_finite is not False and not v.has(sp.nan, sp.zoo)) else None
        scheds[f] = tab
    missing = [c.name for c, v in consts.items() if v is None]
    if missing:
        return SequenceMatch(method.key, False, float("inf"), reason=f"the target does not determine {missing}",
                             exists=cand.exists, conditions=[c.text for c in cand.conditions], chosen=cand.chosen)
    # recompute TO's coefficients from the solved values, step by step, against the target
    reproduce = {"beta_a": (mp.beta_a, target.beta_a, 1), "eta_a": (mp.K * mp.eta_a, target.K * target.eta_a, 0),
                 "alpha_a": (mp.K * mp.alpha_a, target.K * target.alpha_a, 0)}
    if mp.post is not None and not mp.post.linear:
        reproduce["eta_a"] = (mp.eta_a * target.alpha_a.subs(t, t + offset), mp.alpha_a * target.eta_a.subs(t, t + offset), 0)
        reproduce["alpha_a"] = (mp.K, target.K.subs(t, t + offset), 0)
    if mp.gamma_avg is not None and target.gamma_avg is not None:
        reproduce["gamma_avg"] = (mp.gamma_avg, target.gamma_avg, 1)
    fixed = {c: v for c, v in consts.items()}
    fixed.update({sp.Symbol(k): v for k, v in cand.branch.items()})
    misfit, checked = 0.0, 0
    for name, (ours, theirs, skip) in reproduce.items():
        sign_pair = mp.post is not None and not mp.post.linear
        for s in own[skip:]:
            a = _numeric_ours(ours, s, fixed, scheds, values, offset)
            b = _at_to(theirs, s, offset, values) if not sign_pair else _numeric_ours(theirs, s, fixed, scheds,
                                                                                   values, offset)
            if a is None and b is not None and s not in (own[skip], own[-1]):
                misfit = float("inf")  # TO's value is undetermined inside the range: no fit
            if a is None or b is None:
                continue
            misfit = max(misfit, _rel(a, b))
            checked += 1
    reason = None
    bad = _numeric_domain(method, consts, scheds)
    if bad:
        reason, misfit = bad, float("inf")
    return SequenceMatch(method.key, False, misfit if checked else float("inf"),
                         {c.name: v for c, v in consts.items()},
                         {f.__name__: {k: v for k, v in sorted(tb.items()) if v is not None} for f, tb in scheds.items()},
                         reason or (None if checked else "no step could be checked"), cand.exists,
                         [c.text for c in cand.conditions], dict(cand.chosen))


def _at_to(expr, s, offset, values):
    """A target-side expression, written at TO's step ``t``, evaluated at TO step ``s``."""
    return _at(sp.sympify(expr), s, _shifted(values, offset))


def _shifted(values, offset):
    key = (id(values), offset)
    cache = _shifted.cache
    if key not in cache:
        cache.clear()
        cache[key] = {f: {k - offset: v for k, v in tb.items()} for f, tb in values.items()}
    return cache[key]


_shifted.cache = {}


def _numeric_ours(expr, s, consts, scheds, values, offset):
    e = sp.sympify(expr).xreplace({c: v for c, v in consts.items() if v is not None})
    for f, tb in scheds.items():
        for a in [x for x in e.atoms(AppliedUndef) if x.func == f]:
            k = a.subs(t, s).args[0]
            if int(k) not in tb:
                return None
    e = e.subs(t, s)
    for a in list(e.atoms(AppliedUndef)):
        tb = scheds.get(a.func) or _shifted(values, offset).get(a.func)
        if tb is None or not a.args[0].is_Integer or int(a.args[0]) not in tb:
            return None
        if tb[int(a.args[0])] is None:  # TO's schedule is undefined there (0/0): nothing reproduces the target
            return sp.nan
        e = e.xreplace({a: tb[int(a.args[0])]})
    return e if not e.free_symbols else None


def _numeric_domain(method, consts, scheds) -> str | None:
    for c, v in consts.items():
        dom = method.domain.get(c)
        if dom is not None and v is not None and v.is_number and dom.contains(v) == sp.false:
            return f"{method.key}'s {c.name} would be {v}, but it must be {set_text(dom)}"
    for f, tb in scheds.items():
        dom = schedule_domain(method, f)
        for s, v in tb.items():
            if dom is not None and v is not None and v.is_number and dom.contains(v) == sp.false:
                return f"{method.key}'s {f.__name__} at step {s} would be {v}, but it must be {set_text(dom)}"
    return None


__all__ = ["Target", "Condition", "Inverse", "SequenceMatch", "invert", "invert_sequences", "structure_mismatch",
           "schedule_domain", "K_a"]
