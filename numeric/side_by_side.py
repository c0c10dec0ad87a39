"""Two declared methods replayed side by side: FROM at its settings, TO at the converted ones.

Both run in their own variables (:class:`~numeric.forms.MethodForm`: the published update equations),
start from the same point and receive the same noise sample at every step, each at its own query point.
Step ``k`` is FROM's step ``t0_F + k`` and TO's step ``t0_T + k``.  The deviation is the running maximum
of ``|q_F - q_T|_inf / max(|q_F|_inf, |q_T|_inf)`` over every step and the state after the last one, and
likewise for the evaluation points when both methods have one.  Tolerance: ``64 T eps``, as for
``verify`` (docs/conventions.md) -- two exact rewritings of the same recursion differ by rounding only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from equivalences.declare import Method

from .compile import Config
from .forms import Coefficients, MethodForm
from .problems import NoisyLeastSquares
from .replay import relative_deviation as _relative, tolerance


@dataclass
class PairResult:
    steps: int
    tolerance: float
    deviation: float
    deviation_eval: float | None
    diverged: bool
    """Both left the finite numbers together (agreement, but no evidence)."""
    mismatched_divergence: bool

    @property
    def worst(self) -> float:
        return max(self.deviation, self.deviation_eval or 0.0)

    @property
    def agrees(self) -> bool:
        return not self.mismatched_divergence and (self.diverged or self.worst <= self.tolerance)

    def to_json(self) -> dict:
        return {"steps": self.steps, "tolerance": self.tolerance, "max_rel_deviation_query": self.deviation,
                "max_rel_deviation_eval": self.deviation_eval, "diverged": self.diverged,
                "mismatched_divergence": self.mismatched_divergence, "agrees": self.agrees}


def replay_pair(a: Method, cfg_a: Config, b: Method, cfg_b: Config, *, steps: int = 500, dim: int = 32,
                seed: int = 0, dtype=torch.float64, device="cpu") -> PairResult:
    """Replay ``a`` at ``cfg_a`` and ``b`` at ``cfg_b`` in lockstep; see the module docstring."""
    problem = NoisyLeastSquares(dim, seed=seed, dtype=dtype, device=device)
    forms, tables = [], []
    for m, cfg in ((a, cfg_a), (b, cfg_b)):
        coeffs = Coefficients()
        forms.append(MethodForm(m, cfg, np.arange(m.t0, m.t0 + steps + 1), coeffs))
        tables.append(coeffs.stack(dtype, device))
    fa, fb = forms
    theta = problem.start(1)
    sa, sb = fa.start(theta), fb.start(theta)
    dev = torch.zeros(1, dtype=dtype, device=device)
    dev_e = torch.zeros(1, dtype=dtype, device=device)
    both_eval = fa._evaluate is not None and fb._evaluate is not None
    fin_a = fin_b = True
    noise = problem.noise_stream(1)
    for k in range(steps + 1):
        ca, cb = tables[0][k], tables[1][k]
        qa, qb = fa.query(ca, sa), fb.query(cb, sb)
        dev = torch.maximum(dev, torch.nan_to_num(_relative(qa, qb), nan=float("inf")))
        if both_eval:
            dev_e = torch.maximum(dev_e, torch.nan_to_num(_relative(fa.evaluate(ca, sa), fb.evaluate(cb, sb)),
                                                          nan=float("inf")))
        fin_a = fin_a and bool(torch.isfinite(qa).all())
        fin_b = fin_b and bool(torch.isfinite(qb).all())
        if k == steps:
            break
        xi = next(noise)
        sa, sb = fa.step(ca, sa, problem.grad(qa, xi)), fb.step(cb, sb, problem.grad(qb, xi))
    diverged = not fin_a and not fin_b
    return PairResult(steps, tolerance(dtype, steps), float(dev[0]), float(dev_e[0]) if both_eval else None,
                      diverged, fin_a != fin_b)
