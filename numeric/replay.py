"""Replay a method and its accelerated form side by side and measure how far apart they get.

Both forms start from the same point, get the same noise sample at every
step (each at its own query point) and run in the same dtype.  The deviation
at step ``t`` is ``|q_t - w_t|_inf / max(|q_t|_inf, |w_t|_inf)`` per
configuration; the evaluation points (``x_t`` against the averaged ``w``) are
compared the same way.

Tolerance: a correct map reproduces the method up to rounding.  Each step
adds a few ulps of relative error, and on a stable problem those errors add
up at most linearly, so the tolerance is ``TOL_ULPS_PER_STEP * T * eps``
(``eps`` the dtype's machine epsilon).  A wrong map -- one index off in a
schedule -- drifts by the size of the change, orders of magnitude above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from equivalences.declare import Method
from equivalences.derive import Map
from equivalences.system import StepSystem

from .compile import Config
from .forms import AcceleratedForm, MethodForm
from .problems import NoisyLeastSquares

TOL_ULPS_PER_STEP = 64


def tolerance(dtype: torch.dtype, steps: int) -> float:
    return TOL_ULPS_PER_STEP * steps * torch.finfo(dtype).eps


@dataclass
class ReplayResult:
    steps: int
    dtype: str
    device: str
    tolerance: float
    max_rel_deviation: np.ndarray  # (K,) query points
    max_rel_deviation_eval: np.ndarray | None  # (K,) evaluation points
    diverged: np.ndarray  # (K,) both forms left the finite numbers together (agreement)
    mismatched_divergence: np.ndarray  # (K,) one form diverged, the other did not
    trace: np.ndarray | None = None  # (T,) deviation per step, configuration 0
    trace_eval: np.ndarray | None = None
    trajectories: dict = field(default_factory=dict)

    def _deviation(self) -> np.ndarray:
        d = self.max_rel_deviation
        if self.max_rel_deviation_eval is not None:
            d = np.maximum(d, self.max_rel_deviation_eval)
        return d

    @property
    def per_config_passed(self) -> np.ndarray:
        return (self.diverged | (self._deviation() <= self.tolerance)) & ~self.mismatched_divergence

    @property
    def worst(self) -> float:
        d = np.where(self.diverged, 0.0, self._deviation())
        return float(np.where(self.mismatched_divergence, np.inf, d).max())

    @property
    def passed(self) -> bool:
        return bool(self.per_config_passed.all())


def _relative(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    num = (a - b).abs().amax(dim=-1)
    den = torch.maximum(a.abs().amax(dim=-1), b.abs().amax(dim=-1)).clamp_min(torch.finfo(a.dtype).tiny)
    return num / den


def replay(method: Method, mp: Map, *, steps: int = 500, dim: int = 32, seed: int = 0, cfg: Config | None = None,
           dtype=torch.float64, device="cpu", problem=None, system: StepSystem | None = None,
           keep_trajectories: bool = False) -> ReplayResult:
    system = system or StepSystem(method)
    cfg = cfg or Config.from_method(method)
    K = cfg.batch
    ts = np.arange(method.t0, method.t0 + steps)
    kw = dict(dtype=dtype, device=device, system=system)
    ours, acc = MethodForm(method, cfg, ts, **kw), AcceleratedForm(method, mp, cfg, ts, **kw)
    problem = problem or NoisyLeastSquares(dim, seed=seed, dtype=dtype, device=device)
    theta = problem.start(K)
    ours.start(theta)
    acc.start(theta, ours.query(0))

    dev = torch.zeros(steps, K, dtype=dtype, device=device)
    dev_e = None
    finite_q = torch.ones(K, dtype=torch.bool, device=device)
    finite_w = torch.ones(K, dtype=torch.bool, device=device)
    traj = {"q": [], "w": [], "e": [], "wbar": []} if keep_trajectories else None
    noise = problem.noise_stream(K)
    for k in range(steps):
        xi = next(noise)
        q, w = ours.query(k), acc.query(k)
        e, wbar = ours.evaluate(k), acc.evaluate(k)
        finite_q &= torch.isfinite(q).all(dim=-1)
        finite_w &= torch.isfinite(w).all(dim=-1)
        dev[k] = _relative(q, w)
        if e is not None and wbar is not None:
            if dev_e is None:
                dev_e = torch.zeros(steps, K, dtype=dtype, device=device)
            dev_e[k] = _relative(e, wbar)
        if traj is not None:
            traj["q"].append(q[0].cpu().numpy().copy())
            traj["w"].append(w[0].cpu().numpy().copy())
            if e is not None and wbar is not None:
                traj["e"].append(e[0].cpu().numpy().copy())
                traj["wbar"].append(wbar[0].cpu().numpy().copy())
        ours.step(k, problem.grad(q, xi))
        acc.step(k, problem.grad(w, xi))

    fq, fw = finite_q.cpu().numpy(), finite_w.cpu().numpy()
    both = ~fq & ~fw
    dev_np = np.nan_to_num(dev.cpu().numpy(), nan=np.inf)
    dev_e_np = None if dev_e is None else np.nan_to_num(dev_e.cpu().numpy(), nan=np.inf)
    res = ReplayResult(
        steps=steps, dtype=str(dtype).replace("torch.", ""), device=str(device), tolerance=tolerance(dtype, steps),
        max_rel_deviation=dev_np.max(axis=0),
        max_rel_deviation_eval=None if dev_e_np is None else dev_e_np.max(axis=0),
        diverged=both, mismatched_divergence=fq != fw,
        trace=dev_np[:, 0].copy(), trace_eval=None if dev_e_np is None else dev_e_np[:, 0].copy(),
    )
    if traj is not None:
        res.trajectories = {k: np.array(v) for k, v in traj.items() if v}
    return res
