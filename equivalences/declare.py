"""What a method declaration holds: data only, written in the authors' own variables.

A declaration module under :mod:`equivalences.methods` builds one :class:`Method`.
Nothing in a declaration states the answer (the map to Eq. (1)): the engine
derives it.  The paper's printed statements about the method are recorded as
:class:`Claim` objects and checked literally.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import sympy as sp

from .symbols import g, t
from .transform_kinds import KINDS as TRANSFORM_KINDS

KINDS = {name: kind.description for name, kind in TRANSFORM_KINDS.items()}
"""The transform kinds by name, in words (the kinds themselves: :mod:`equivalences.transform_kinds`; each has its
concrete counterpart in :data:`numeric.transforms.KINDS`)."""


@dataclass(frozen=True)
class Transform:
    """A coordinate-wise map ``P_t(x)`` that proofs treat as opaque.

    Applied as ``P(step, x)``.  ``kind`` names the numeric implementation
    (``"sign"`` or ``"adam"``), ``params`` its parameters, and ``input`` the
    gradient-history expression a stateful preconditioner accumulates
    (default ``g(t)``; MARS feeds its corrected gradient ``c_t``).
    """

    name: str
    kind: str
    params: Mapping[str, object] = field(default_factory=dict)
    input: sp.Expr | None = None
    latex: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"transform {self.name}: unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")

    @property
    def function(self) -> type[sp.Function]:
        """The opaque function ``P``; it carries its kind, so it is never confused with a method's own
        variable of the same name, and whether an expression applies a transform is decided by the
        expression alone (no table of names: a verdict cannot depend on what else was imported)."""
        return sp.Function(self.name, transform_kind=self.kind, transform_latex=self.latex or "")

    def __call__(self, step, x) -> sp.Expr:
        return self.function(step, x)

    @property
    def linear(self) -> bool:
        """A diagonal preconditioner is linear in x; sign is not (the kind says)."""
        return TRANSFORM_KINDS[self.kind].linear


def is_transform_application(expr) -> bool:
    """Is ``expr`` an application ``P_t(x)`` of a :class:`Transform`'s function?"""
    from sympy.core.function import AppliedUndef

    return isinstance(expr, AppliedUndef) and getattr(expr.func, "transform_kind", None) is not None


@dataclass(frozen=True)
class Claim:
    """One statement the paper prints, transcribed literally as ``lhs = rhs``.

    ``lhs``/``rhs`` are written in the method's variables and may use the
    accelerated form's ``m``, ``w``, ``beta_a``, ``eta_a``, ``alpha_a``,
    ``gamma_avg`` and ``K_a`` (see :mod:`equivalences.symbols`).  ``fix`` is an optional
    candidate correction ``(lhs, rhs)``; it is proved like any claim, never
    trusted.
    """

    ref: str
    lhs: sp.Expr
    rhs: sp.Expr
    printed: str = ""
    fix: tuple[sp.Expr, sp.Expr] | None = None
    assume: Mapping = field(default_factory=dict)
    """Extra assumptions the printed statement is made under, e.g. ``{beta: 0}``."""
    note: str = ""
    origin: str = "displayed"
    """``"displayed"``: a displayed equation or algorithm line; ``"prose"``: a statement in the running text."""


def chain(refs: Sequence[str], exprs: Sequence[sp.Expr], printed: Sequence[str] = ()) -> tuple[Claim, ...]:
    """A printed derivation ``e0 = e1 = e2 = ...``: one claim per displayed step.

    ``refs[i]`` tags the step ``exprs[i] = exprs[i + 1]``.
    """
    if len(refs) != len(exprs) - 1:
        raise ValueError("chain: need one ref per '=' step")
    printed = list(printed) + [""] * (len(refs) - len(printed))
    return tuple(Claim(r, a, b, p) for r, a, b, p in zip(refs, exprs[:-1], exprs[1:], printed))


def state(names: str) -> tuple[type[sp.Function], ...]:
    """State variables, as functions of the step: ``z, x = state("z x")``."""
    return tuple(sp.Function(n) for n in names.split())


@dataclass(frozen=True)
class Method:
    """A momentum method as its authors wrote it.

    updates
        ``Eq(s(t + 1), rhs)`` in the authors' order; a right-hand side may
        use a variable already updated in the same step (``z(t + 1)``) and
        the previous gradient ``g(t - 1)`` (the engine then keeps it as state).
    define
        named intermediate quantities, ``{y: (1 - beta) * z(t) + beta * x(t)}``.
    query
        where the stochastic gradient of step ``t`` is taken.
    calls
        a method with several gradient calls per step (extragradient): the ordered ``(point, gradient)``
        pairs of one step, e.g. ``((x, g1), (y, g2))`` with ``g1, g2 = gradients("g1 g2")``
        (:mod:`equivalences.oracles`); ``query`` is then the first call's point.  Empty: one call, ``g`` at
        ``query``.
    evaluate
        the sequence the method returns for evaluation, when it is not the
        query point (Schedule-Free's ``x``); the engine proves it is a weight
        average of the accelerated iterate.
    init
        the standard start, every state variable at ``t0`` in terms of
        :data:`~equivalences.symbols.theta0`.
    constants / schedules
        hyperparameters: symbols, and sequences (functions of ``t``).
    defaults
        numeric values for the replay: exact numbers for constants, sympy
        expressions of ``t`` for schedules.
    domain
        where each constant is valid, as a sympy set.
    paper_setting
        the paper's own assumptions (e.g. a constant learning rate), as
        ``{schedule: expression of t}``; its claims are checked under them,
        and again in general.
    """

    key: str
    name: str
    reference: str
    section: str
    summary: str
    state: tuple
    updates: tuple
    query: type[sp.Function]
    init: Mapping
    t0: int = 1
    define: Mapping = field(default_factory=dict)
    evaluate: type[sp.Function] | None = None
    input: type[sp.Function] = g
    pre: Transform | None = None
    posts: tuple[Transform, ...] = ()
    constants: tuple[sp.Symbol, ...] = ()
    schedules: tuple[type[sp.Function], ...] = ()
    defaults: Mapping = field(default_factory=dict)
    domain: Mapping = field(default_factory=dict)
    paper_setting: Mapping = field(default_factory=dict)
    paper_setting_text: str = ""
    claims: tuple[Claim, ...] = ()
    notes: tuple[str, ...] = ()
    calls: tuple = ()

    @property
    def transforms(self) -> tuple[Transform, ...]:
        return ((self.pre,) if self.pre else ()) + tuple(self.posts)

    def transform_of(self, function) -> Transform | None:
        """The declared transform whose opaque function is ``function`` (None if it is not one of ours)."""
        return next((tr for tr in self.transforms if tr.function == function), None)

    def hyperparameter(self, name: str):
        """Look up a constant or schedule by its name (e.g. ``"beta"``)."""
        for s in self.constants:
            if s.name == name:
                return s
        for f in self.schedules:
            if f.__name__ == name:
                return f
        for s in self.defaults:  # a parameter of a default schedule (e.g. a warmup length)
            if isinstance(s, sp.Symbol) and s.name == name:
                return s
        return None

    @property
    def hyperparameter_names(self) -> list[str]:
        return [s.name for s in self.constants] + [f.__name__ for f in self.schedules]


class BadSetting(ValueError):
    """A user's value for a hyperparameter that the method does not take (the message names the fix)."""


def parse_setting(method: Method, pairs: Mapping[str, object]) -> dict:
    """``{"beta": "0.9"}`` -> ``{beta: 9/10}``: exact (decimal text, never sympified), a constant or a schedule's
    parameter of ``method``, inside its domain; :class:`BadSetting` otherwise."""
    from .rationals import exact
    from .printing import interval

    known = {s.name: s for s in (*method.constants, *method.defaults, *method.domain) if isinstance(s, sp.Symbol)}
    out = {}
    for name, raw in pairs.items():
        sym = known.get(name)
        if sym is None:
            f = method.hyperparameter(name)
            if f is not None and not isinstance(f, sp.Symbol):
                params = sorted(s.name for s in sp.sympify(method.defaults.get(f, 0)).free_symbols - {t})
                raise BadSetting(f"{name} is a schedule of {method.key}; set its parameters instead "
                                 f"({', '.join(params) or 'it has none'})")
            raise BadSetting(f"{method.key} has no constant {name!r}; it has: "
                             f"{', '.join(sorted(s.name for s in method.defaults if isinstance(s, sp.Symbol)))}")
        try:
            value = exact(raw)
        except ValueError as err:
            raise BadSetting(f"{name}={raw}: {err}") from None
        dom = method.domain.get(sym)
        if dom is not None and not dom.contains(value):
            raise BadSetting(f"{name}={raw} is outside its valid range {interval(dom)}; pick a value in it")
        out[sym] = value
    return out


def setting(method: Method, overrides: Mapping | None = None) -> dict:
    """The values a method runs at: each schedule's default body first, then every constant (``overrides``
    over the defaults) -- the order :func:`~equivalences.claims.specialise` substitutes them in."""
    merged = {k: sp.sympify(v) for k, v in {**method.defaults, **(overrides or {})}.items()}
    return {**{k: v for k, v in merged.items() if not isinstance(k, sp.Symbol)},
            **{k: v for k, v in merged.items() if isinstance(k, sp.Symbol)}}


def at(f, k):
    """``f`` at step ``t + k``."""
    return f(t + k)
