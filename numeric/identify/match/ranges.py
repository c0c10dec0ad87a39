"""Where a method's solved values may lie: its constants' declared domains and each schedule's range."""
from __future__ import annotations

import functools

import numpy as np
import sympy as sp


def _in_domain(method, tables: dict, constants: dict | None = None) -> bool:
    """Every solved constant inside its declared domain, every schedule value inside the schedule's range
    (:func:`schedule_range`)."""
    for name, value in (constants or {}).items():
        sym = method.hyperparameter(name)
        dom = method.domain.get(sym) if isinstance(sym, sp.Symbol) else None
        if dom is not None and value is not None and dom.contains(sp.Rational(value)) == sp.false:
            return False
    for name, values in tables.items():
        f = method.hyperparameter(name)
        dom = schedule_range(method, f) if f is not None else None
        if dom is None:
            continue
        for v in values.values():
            if dom.contains(sp.Rational(v)) == sp.false:
                return False
    return True


def schedule_range(method, f) -> sp.Set | None:
    """Where a schedule's values lie: its declared domain (a bare parameter, numbers), else read off its default
    body at sampled points of its parameters' domains and steps 1..1000 -- only the sign and the bound 1 are kept
    (``(0, 1)`` for AdEMAMix's beta3 warmup, ``(0, oo)`` for its alpha ramp), so a matched schedule is a value the
    method can take, not merely one that solves its equations."""
    from equivalences.inverse import schedule_domain

    dom = schedule_domain(method, f)
    if dom is not None:
        return dom
    default = method.defaults.get(f)
    if default is None:
        return None
    body = sp.sympify(default)
    return _sampled_range(body, tuple((k, v) for k, v in method.domain.items() if k in body.free_symbols))


@functools.lru_cache(maxsize=None)
def _sampled_range(body, domains: tuple) -> sp.Set | None:
    from equivalences.symbols import t

    doms = dict(domains)
    params = sorted(body.free_symbols - {t}, key=lambda x: x.name)
    rng = np.random.default_rng(0)

    def draws(dom):
        if isinstance(dom, sp.FiniteSet):
            return [float(x) for x in dom]
        if isinstance(dom, sp.Interval):
            a, b = float(dom.start), float(dom.end)
            if np.isfinite(a) and np.isfinite(b):
                return [a + (b - a) * u for u in (1e-3, 0.1, 0.5, 0.9, 0.999)]
            base = a if np.isfinite(a) else 0.0
            return [base + x for x in (1e-3, 0.5, 1.0, 10.0, 1e3)]
        return None

    pools = [draws(doms.get(p)) for p in params]
    if any(pool is None for pool in pools):
        return None
    fn = sp.lambdify([t, *params], body, modules="math")
    values = []
    for _ in range(200):
        args = [pool[rng.integers(len(pool))] for pool in pools]
        for step in (1, 2, 3, 5, 10, 100, 1000):
            try:
                values.append(float(fn(step, *args)))
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                continue
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return None
    lo, hi = min(values), max(values)
    low = sp.Interval.open(0, sp.oo) if lo > 0 else sp.Interval(0, sp.oo) if lo >= 0 else sp.Reals
    high = sp.Interval.open(-sp.oo, 1) if hi < 1 else sp.Interval(-sp.oo, 1) if hi <= 1 else sp.Reals
    return low & high
