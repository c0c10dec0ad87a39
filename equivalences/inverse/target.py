"""The coefficient sequences an inverse must produce: a method's own map (symbolic mode) or numbers per step
(numeric mode)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from ..declare import Method, Transform
from ..derive import Map
from ..symbols import alpha_a, beta_a, eta_a, gamma_avg, t
from ..transform_kinds import KINDS
from .declared import _default_positive, schedule_domain


K_a = sp.Function("K_a")
"""The scalar in front of a nonlinear ``Post`` in a numeric target (``K_t``)."""


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
    def of_method(cls, method: Method, mp: Map) -> "Target":
        """The target that ``method``'s derived map ``mp`` gives (the map of the caller's Derivation)."""
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
        return KINDS[self.kind].linear


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
