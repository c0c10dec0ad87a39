"""Two concrete methods with several gradient calls per step (or one), replayed side by side in their own variables.

Each method runs its declaration as written (:mod:`equivalences.oracles`): at every step, call by call, the
point (its definitions expanded) is evaluated and the gradient taken there; then the updates in the authors'
order, a later one reading the states already updated.  Both start from the same point, and the ``n``-th query of
each (counted call by call) receives the same noise sample.  The deviation is the running maximum of
``|p_A - p_B|_inf / max(|p_A|_inf, |p_B|_inf)`` over every query; tolerance ``64 T eps`` (T queries), as for
``verify``.  The methods are concrete: every hyperparameter is a number, every schedule an expression of ``t``.
"""
from __future__ import annotations

import sympy as sp
import torch
from sympy.core.function import AppliedUndef

from equivalences.declare import Method
from equivalences.oracles import expander
from equivalences.symbols import t, theta0

from .problems import NoisyLeastSquares
from .replay import relative_deviation, tolerance
from .side_by_side import PairResult


class _Run:
    """One concrete declaration, evaluated call by call on tensors."""

    def __init__(self, method: Method):
        self.method = method
        self.calls = list(method.calls) or [(method.query, method.input)]
        self.grads = [gr for _, gr in self.calls]
        expand = expander(method)

        self.atoms = ([t] + [s(t) for s in method.state] + [s(t + 1) for s in method.state]
                      + [gr(t) for gr in self.grads] + [gr(t - 1) for gr in self.grads])
        dummies = [sp.Dummy(f"a{i}") for i in range(len(self.atoms))]
        self.dummies = dict(zip(self.atoms, dummies))

        def compile_(e):
            e = expand(e).xreplace(self.dummies)
            left = e.atoms(AppliedUndef)
            if left:
                raise ValueError(f"{method.key}: cannot replay {sorted(map(str, left))}")
            return sp.lambdify(dummies, e, "math")

        self.points = [compile_(p(t)) for p, _ in self.calls]
        self.updates = [(eq.lhs.func, compile_(eq.rhs)) for eq in method.updates]
        self.start_ = {s: sp.lambdify([theta0], sp.sympify(method.init[s(method.t0)]), "math") for s in method.state}

    def start(self, theta):
        self.state = {s: self.start_[s](theta) * torch.ones_like(theta) for s in self.method.state}
        self.prev = [torch.zeros_like(theta) for _ in self.grads]

    def args(self, k, new, now):
        zero = 0.0
        return ([k] + [self.state[s] for s in self.method.state] + [new.get(s, zero) for s in self.method.state]
                + list(now) + [zero] * (len(self.grads) - len(now)) + self.prev)

    def point(self, k, i, now):
        return self.points[i](*self.args(k, {}, now))

    def step(self, k, now):
        new: dict = {}
        for s, f in self.updates:
            new[s] = f(*self.args(k, new, now))
        self.state, self.prev = new, list(now)


def replay_calls(a: Method, b: Method, *, steps: int = 300, dim: int = 16, seed: int = 0,
                 dtype=torch.float64, device="cpu") -> PairResult:
    """Replay the concrete ``a`` and ``b`` (the same number of calls per step) in lockstep; module doc."""
    problem = NoisyLeastSquares(dim, seed=seed, dtype=dtype, device=device)
    ra, rb = _Run(a), _Run(b)
    if len(ra.calls) != len(rb.calls):
        raise ValueError("the side-by-side replay takes two methods with the same number of calls per step")
    theta = problem.start(1)
    ra.start(theta), rb.start(theta)
    noise = problem.noise_stream(1)
    dev = torch.zeros(1, dtype=dtype, device=device)
    fin_a = fin_b = True
    for j in range(steps):
        ka, kb = a.t0 + j, b.t0 + j
        now_a, now_b = [], []
        for i in range(len(ra.calls)):
            pa, pb = ra.point(ka, i, now_a), rb.point(kb, i, now_b)
            dev = torch.maximum(dev, torch.nan_to_num(relative_deviation(pa, pb), nan=float("inf")))
            fin_a = fin_a and bool(torch.isfinite(pa).all())
            fin_b = fin_b and bool(torch.isfinite(pb).all())
            xi = next(noise)
            now_a.append(problem.grad(pa, xi))
            now_b.append(problem.grad(pb, xi))
        ra.step(ka, now_a), rb.step(kb, now_b)
    queries = steps * len(ra.calls)
    diverged = not fin_a and not fin_b
    return PairResult(queries, tolerance(dtype, queries), float(dev[0]), None, diverged, fin_a != fin_b)
