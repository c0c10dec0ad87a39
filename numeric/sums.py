"""Cumulative schedules: a ``sympy.Sum`` in a schedule, evaluated for every step of a replay.

A schedule such as ``gamma_t = lr / Sum(k**r, (k, 1, t))`` has no numpy form (and often no closed
form).  :func:`tabulate_sums` replaces each ``Sum(f(k), (k, lo, hi))`` by a table of its value at every
step and configuration: the summand is evaluated once at every index ``k`` the run needs, and the sums
are differences of one running (prefix) sum, ``P[hi] - P[lo - 1]``, so a run of ``T`` steps costs
``O(T + max hi - min lo)`` evaluations.  A summand that also depends on ``t`` is summed per step.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from equivalences.symbols import t

from .errors import ConfigError

MAX_TERMS = 20_000_000
"""Refuse sums that need more summand evaluations than this (they would take minutes)."""


def _outermost(expr) -> list[sp.Sum]:
    """The Sums of ``expr`` that are not inside another Sum (the summand's own sums are tabulated with it)."""
    inner = {a for s in expr.atoms(sp.Sum) for a in s.function.atoms(sp.Sum)}
    return sorted((s for s in expr.atoms(sp.Sum) if s not in inner), key=sp.default_sort_key)


def _outer(s: sp.Sum) -> tuple[sp.Expr, tuple]:
    """``Sum(f, (k, a, b), (j, c, d))`` (SymPy's form of nested sums, innermost limit first) as its summand
    ``Sum(f, (k, a, b))`` and its outer limit ``(j, c, d)``."""
    body = sp.Sum(s.function, *s.limits[:-1]) if len(s.limits) > 1 else s.function
    return body, s.limits[-1]


def tabulate_sums(expr, cfg, steps: np.ndarray, tabulate) -> tuple[sp.Expr, dict]:
    """``expr`` with each Sum replaced by a fresh symbol, and ``{symbol: (T, K) table}`` of their values.

    ``tabulate(expr, cfg, steps)`` evaluates an expression at every step (``numeric.compile.tabulate``; it
    comes back here for the sums inside a summand, with the summation index as the step)."""
    tables: dict = {}
    for s in _outermost(expr):
        d = sp.Dummy("sum")
        tables[d] = _table(s, *_outer(s), cfg, steps, tabulate)
        expr = expr.xreplace({s: d})
    return expr, tables


def _table(s: sp.Sum, body, limit, cfg, steps, tabulate) -> np.ndarray:
    """The values of ``s`` = sum of ``body`` over ``limit`` = ``(k, lo, hi)`` at every step and configuration."""
    if len(limit) != 3:
        raise ConfigError(f"{s}: give the limits, e.g. Sum(f(k), (k, 1, t))")
    k, lo, hi = limit
    lo_t, hi_t = (np.rint(tabulate(b, cfg, steps)) for b in (lo, hi))
    if not (np.isfinite(lo_t).all() and np.isfinite(hi_t).all()):
        raise ConfigError(f"the limits of {s} are not finite at every step")
    lo_t, hi_t = lo_t.astype(np.int64), hi_t.astype(np.int64)
    first, last = int(lo_t.min()), int(max(hi_t.max(), lo_t.min()))
    n = last - first + 1
    if body.has(t):  # the terms change with the step: sum each step's terms
        if n * len(steps) > MAX_TERMS:
            raise ConfigError(f"{s}: terms that depend on t need {n * len(steps):.1e} evaluations; "
                              "write the summand without t or use fewer --steps")
        out = np.empty((len(steps), cfg.batch))
        ks = np.arange(first, last + 1)
        for i, step in enumerate(steps):
            terms = tabulate(body.subs(t, int(step)).xreplace({k: t}), cfg, ks)
            idx = np.arange(n)[:, None]
            inside = (idx >= (lo_t[i] - first)) & (idx <= (hi_t[i] - first))
            out[i] = np.where(inside, terms, 0.0).sum(axis=0)
        return out
    if n > MAX_TERMS:
        raise ConfigError(f"{s} needs {n:.1e} terms at these steps; use fewer --steps")
    terms = tabulate(body.xreplace({k: t}), cfg, np.arange(first, last + 1))  # (n, K)
    prefix = np.vstack([np.zeros((1, terms.shape[1])), np.cumsum(terms, axis=0)])  # prefix[j] = sum of first j
    cols = np.arange(cfg.batch)[None, :]
    upper = np.clip(hi_t - first + 1, 0, n)
    lower = np.clip(lo_t - first, 0, n)
    value = prefix[upper, cols] - prefix[lower, cols]
    return np.where(hi_t >= lo_t, value, 0.0)  # an empty sum is 0
