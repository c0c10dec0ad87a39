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

from . import transforms as tf
from .compile import (AcceleratedProgram, Config, MethodProgram, compile_accelerated, compile_method,
                      resolve_params)
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
    diverged: np.ndarray  # (K,) bool: both forms overflowed together (agreement)
    mismatched_divergence: np.ndarray  # (K,) bool: one form diverged, the other did not
    trace: np.ndarray | None = None  # (T,) deviation per step of configuration 0
    trace_eval: np.ndarray | None = None
    trajectories: dict = field(default_factory=dict)

    @property
    def worst(self) -> float:
        d = self.max_rel_deviation
        if self.max_rel_deviation_eval is not None:
            d = np.maximum(d, self.max_rel_deviation_eval)
        d = np.where(self.diverged, 0.0, d)
        d = np.where(self.mismatched_divergence, np.inf, d)
        return float(d.max())

    @property
    def passed(self) -> bool:
        return self.worst <= self.tolerance

    @property
    def per_config_passed(self) -> np.ndarray:
        d = self.max_rel_deviation
        if self.max_rel_deviation_eval is not None:
            d = np.maximum(d, self.max_rel_deviation_eval)
        return (self.diverged | (d <= self.tolerance)) & ~self.mismatched_divergence


def _col(table: np.ndarray, k: int, like: torch.Tensor) -> torch.Tensor:
    return table[k]


class _Tables:
    """Coefficient tables moved to the device once, as (T, K, 1) tensors."""

    def __init__(self, dtype, device):
        self.dtype, self.device = dtype, device

    def __call__(self, table):
        if table is None:
            return None
        return torch.as_tensor(np.ascontiguousarray(table), dtype=self.dtype, device=self.device).unsqueeze(-1)


def _affine(aff, tab, k, state, u):
    out = None
    for j, c in aff.coeffs.items():
        term = c[k] * state[j]
        out = term if out is None else out + term
    if aff.u is not None:
        term = aff.u[k] * u
        out = term if out is None else out + term
    return out if out is not None else torch.zeros_like(u)


def _to_device(prog, tab):
    def conv_aff(a):
        if a is None:
            return None
        return type(a)({j: tab(c) for j, c in a.coeffs.items()}, tab(a.u))

    return conv_aff


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
    mprog: MethodProgram = compile_method(method, system, cfg, ts)
    aprog: AcceleratedProgram = compile_accelerated(method, mp, cfg, ts)
    tab = _Tables(dtype, device)
    conv = _to_device(mprog, tab)
    upd = [(conv(up.linear), up.transform, tab(up.scale), conv(up.arg)) for up in mprog.updates]
    query, evaluate = conv(mprog.query), conv(mprog.evaluate)
    lags = {n: (tab(a), tab(b)) for n, (a, b) in mprog.input_lags.items()}
    beta, eta, alpha, Kt = tab(aprog.beta), tab(aprog.eta), tab(aprog.alpha), tab(aprog.K)
    gamma = tab(aprog.gamma)

    problem = problem or NoisyLeastSquares(dim, seed=seed, dtype=dtype, device=device)
    theta = problem.start(K)
    col = lambda v: torch.as_tensor(v, dtype=dtype, device=device).unsqueeze(-1)  # noqa: E731
    state = [col(mprog.init[j]) * theta for j in range(len(mprog.names))]
    w = _affine(query, tab, 0, state, theta)
    mom = col(aprog.m_init) * theta
    wbar = col(aprog.avg_init) * theta if aprog.avg_init is not None else None

    def make(tr):
        return tf.build(tr.kind, resolve_params(tr, cfg))

    m_tr = {n: make(tr) for n, tr in mprog.transforms.items()}
    a_tr = {n: make(tr) for n, tr in mprog.transforms.items()}
    pre = method.pre.name if method.pre else None
    post = mp.post.name if mp.post else None
    g_prev_m = torch.zeros_like(theta)
    g_prev_a = torch.zeros_like(theta)

    dev = torch.zeros(steps, K, dtype=dtype, device=device)
    dev_e = torch.zeros(steps, K, dtype=dtype, device=device) if evaluate is not None and gamma is not None else None
    traj = {"q": [], "w": [], "e": [], "wbar": []} if keep_trajectories else None
    noise = problem.noise_stream(K)
    for k in range(steps):
        tt = int(ts[k])
        xi = next(noise)
        # -- the method, in its own variables
        q = _affine(query, tab, k, state, theta)
        gq = problem.grad(q, xi)
        for n, tr in m_tr.items():
            a, b = lags[n]
            tr.update(tt, a[k] * gq + b[k] * g_prev_m)
        u_m = m_tr[pre](gq) if pre else gq
        new = []
        for lin, tname, scale, arg in upd:
            v = _affine(lin, tab, k, state, u_m)
            if tname is not None:
                v = v + scale[k] * m_tr[tname](_affine(arg, tab, k, state, u_m))
            new.append(v)
        # -- the accelerated form, Eq. (1)
        gw = problem.grad(w, xi)
        for n, tr in a_tr.items():
            a, b = lags[n]
            tr.update(tt, a[k] * gw + b[k] * g_prev_a)
        u_a = a_tr[pre](gw) if pre else gw
        mom = beta[k] * mom + u_a
        direction = eta[k] * mom + alpha[k] * u_a
        w_next = w - Kt[k] * (a_tr[post](direction) if post else direction)

        dev[k] = _relative(q, w)
        if dev_e is not None:
            e = _affine(evaluate, tab, k, state, theta)
            dev_e[k] = _relative(e, wbar)
            if traj is not None:
                traj["e"].append(e[0].cpu().numpy().copy())
                traj["wbar"].append(wbar[0].cpu().numpy().copy())
            if k + 1 < steps:
                wbar = (1 - gamma[k + 1]) * wbar + gamma[k + 1] * w_next
        if traj is not None:
            traj["q"].append(q[0].cpu().numpy().copy())
            traj["w"].append(w[0].cpu().numpy().copy())
        state, w, g_prev_m, g_prev_a = new, w_next, gq, gw

    finite_q = torch.isfinite(dev).all(dim=0)
    dev_np = dev.cpu().numpy()
    bad = ~np.isfinite(dev_np)
    # both overflowing together shows up as nan relative deviation; one-sided as inf or nan too
    diverged = bad.any(axis=0)
    del finite_q
    res = ReplayResult(
        steps=steps, dtype=str(dtype).replace("torch.", ""), device=str(device), tolerance=tolerance(dtype, steps),
        max_rel_deviation=np.where(bad, 0, dev_np).max(axis=0),
        max_rel_deviation_eval=None if dev_e is None else np.nan_to_num(dev_e.cpu().numpy(), nan=0).max(axis=0),
        diverged=diverged, mismatched_divergence=np.zeros(K, dtype=bool),
        trace=dev_np[:, 0].copy(), trace_eval=None if dev_e is None else dev_e.cpu().numpy()[:, 0].copy(),
    )
    if traj is not None:
        res.trajectories = {k: np.array(v) for k, v in traj.items()}
    return res
