"""Hyperparameter configurations over each method's valid domain, replayed as one batch.

Random sampling draws every constant that has a domain (``Method.domain``),
schedule parameters included (e.g. Schedule-Free's ``lr`` and warmup ``T_w``):

* a finite interval ``[a, b]``: uniform, kept 0.1% inside open ends;
* ``(0, oo)``: log-uniform over ``[default/10, default*10]``;
* ``[a, oo)`` with ``a > 0``: uniform over ``[a, 10 * max(default, a)]``;
* a finite set (a flag such as ``nesterov``): uniform choice.

A grid takes ``n`` evenly spaced values per parameter over the same ranges
(the product, capped at ``max_configs``).  Configurations where a coefficient
of the map or of the method is not finite -- a degenerate parameter set such as
a zero learning rate -- are excluded and counted.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from equivalences.declare import Method
from equivalences.derive import Map
from equivalences.system import StepSystem

from .compile import Config
from .forms import AcceleratedForm, Coefficients, MethodForm

INSIDE = 1e-3


def _range(dom, default):
    """(low, high, log) for sampling a constant in ``dom``."""
    lo, hi = float(dom.inf), float(dom.sup)
    d = float(default)
    if np.isinf(hi):
        if lo <= 0:
            base = d if d > 0 else 1.0
            return base / 10, base * 10, True
        return lo, 10 * max(d, lo), False
    span = hi - lo
    lo = lo + INSIDE * span if dom.left_open else lo
    hi = hi - INSIDE * span if dom.right_open else hi
    return lo, hi, False


def sampled_symbols(method: Method) -> list:
    return [s for s in method.domain if isinstance(s, sp.Symbol) and s in method.defaults]


def _values(dom, default, u: np.ndarray) -> np.ndarray:
    """Map uniform numbers ``u`` in [0, 1] into ``dom``."""
    if isinstance(dom, sp.FiniteSet):
        choices = np.array(sorted(float(x) for x in dom))
        return choices[np.minimum((u * len(choices)).astype(int), len(choices) - 1)]
    lo, hi, log = _range(dom, default)
    if log:
        return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    return lo + u * (hi - lo)


def sample(method: Method, n: int, *, seed: int = 0, grid: bool = False, max_configs: int = 1 << 16) -> Config:
    """``n`` random configurations (or an ``n``-point-per-parameter grid) over the method's domain."""
    syms = sampled_symbols(method)
    if grid:
        axes = [np.linspace(0, 1, n) if not isinstance(method.domain[s], sp.FiniteSet)
                else np.linspace(0, 1, len(method.domain[s]), endpoint=False) for s in syms]
        points = list(itertools.islice(itertools.product(*axes), max_configs))
        U = np.array(points, dtype=np.float64).reshape(len(points), len(syms))
    else:
        U = np.random.default_rng(seed).random((n, len(syms)))
    cfg = Config.from_method(method, batch=len(U))
    for j, s in enumerate(syms):
        cfg.values[s] = _values(method.domain[s], method.defaults[s], U[:, j])
    return cfg


def finite_rows(method: Method, mp: Map, cfg: Config, steps: int, system: StepSystem | None = None) -> np.ndarray:
    """Configurations whose every coefficient table is finite over the run."""
    ts = np.arange(method.t0, method.t0 + steps + 1)  # as the replay: one row past the last step
    coeffs = Coefficients()
    MethodForm(method, cfg, ts, coeffs, system)
    AcceleratedForm(method, mp, cfg, ts, coeffs, system)
    ok = np.ones(cfg.batch, dtype=bool)
    for table in coeffs.tables:
        ok &= np.isfinite(table).all(axis=0) if table.ndim == 2 else np.isfinite(table)
    return ok


def select(cfg: Config, mask: np.ndarray) -> Config:
    return Config({k: v[mask].copy() for k, v in cfg.values.items()}, dict(cfg.schedules))


@dataclass
class Worst:
    values: dict
    deviation: float
    deviation_ulps: float
    diverged: bool
    status: str = "agrees"
    """``agrees`` (within the tolerance), ``mismatch`` (beyond it and beyond the rounding bound, or one form
    diverged alone), ``inconclusive`` (beyond the tolerance, within the rounding bound of amplified dynamics, or after a sign
    tie)."""
    bound: float | None = None
    """The rounding bound at this configuration (``ReplayResult.rounding_bound``)."""
    sign_tie: bool = False
    """A sign was taken of a value 0 up to rounding there, while both forms agreed (``ReplayResult.sign_tie``)."""


def _status(result, i: int) -> str:
    if result.inconclusive[i]:
        return "inconclusive"
    return "agrees" if result.per_config_passed[i] else "mismatch"


def worst_configs(result, cfg: Config, names, n: int = 5, *, inconclusive: bool = False) -> list[Worst]:
    """The ``n`` worst configurations that give evidence (mismatches first, then the largest deviations); with
    ``inconclusive``, the ``n`` inconclusive ones with the largest deviation instead."""
    d = result.deviation()
    if inconclusive:
        pick = result.inconclusive
        key = d
    else:
        pick = result.judged
        key = np.where(result.mismatched_divergence, np.inf, d)
    idx = np.flatnonzero(pick)
    order = idx[np.argsort(-key[idx], kind="stable")][:n]
    eps, bound = result.eps, result.rounding_bound
    return [Worst(cfg.described(int(i), names), float(d[i]), float(d[i]) / eps, bool(result.diverged[i]),
                  _status(result, int(i)), float(bound[i]), bool(result.tied[i])) for i in order]
