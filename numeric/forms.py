"""The two forms of a replay, as steppers over batched tensors of shape ``(K, D)``.

:class:`MethodForm` runs a declaration in its own variables (its update
equations, solved by :class:`~equivalences.system.StepSystem`);
:class:`AcceleratedForm` runs Eq. (1) with a map.  Both read their
coefficients from ``(T, K)`` tables made from the same sympy expressions, so a
replay tests the derivation, not a second hand-written copy of it.

Protocol, per step ``k`` (``t = t0 + k``)::

    q = form.query(k)        # where the gradient is taken
    form.step(k, grad_at_q)  # advance to step k + 1
    form.evaluate(k)         # the evaluation point (None when it is the query point)
"""
from __future__ import annotations

import numpy as np
import torch

from equivalences.declare import Method
from equivalences.derive import Map
from equivalences.system import StepSystem

from . import transforms as tf
from .compile import Config, compile_accelerated, compile_method, resolve_params


class _Tables:
    """Move ``(T, K)`` coefficient tables to the device once, as ``(T, K, 1)`` tensors."""

    def __init__(self, dtype, device):
        self.dtype, self.device = dtype, device

    def __call__(self, table):
        if table is None:
            return None
        return torch.as_tensor(np.ascontiguousarray(table), dtype=self.dtype, device=self.device).unsqueeze(-1)

    def affine(self, aff):
        if aff is None:
            return None
        return ({j: self(c) for j, c in aff.coeffs.items()}, self(aff.u))

    def column(self, values):
        return torch.as_tensor(np.asarray(values), dtype=self.dtype, device=self.device).unsqueeze(-1)


def _apply(aff, k, state, u):
    coeffs, cu = aff
    out = None
    for j, c in coeffs.items():
        out = c[k] * state[j] if out is None else out + c[k] * state[j]
    if cu is not None:
        out = cu[k] * u if out is None else out + cu[k] * u
    return out if out is not None else torch.zeros_like(state[0])


class _TransformFeed:
    """One side's instances of the method's transforms, fed ``a_t g_t + b_t g_(t-1)``."""

    def __init__(self, method: Method, lags, cfg: Config, tab: _Tables):
        self.transforms = {tr.name: tf.build(tr.kind, resolve_params(tr, cfg)) for tr in method.transforms}
        self.lags = {n: (tab(a), tab(b)) for n, (a, b) in lags.items()}
        self.g_prev = None

    def update(self, k: int, t: int, g: torch.Tensor) -> None:
        if self.g_prev is None:
            self.g_prev = torch.zeros_like(g)
        for n, tr in self.transforms.items():
            a, b = self.lags[n]
            tr.update(t, a[k] * g + b[k] * self.g_prev)
        self.g_prev = g

    def __getitem__(self, name):
        return self.transforms[name]


class MethodForm:
    def __init__(self, method: Method, cfg: Config, ts: np.ndarray, *, dtype=torch.float64, device="cpu",
                 system: StepSystem | None = None):
        self.method, self.ts = method, ts
        system = system or StepSystem(method)
        prog = compile_method(method, system, cfg, ts)
        tab = _Tables(dtype, device)
        self.updates = [(tab.affine(up.linear), up.transform, tab(up.scale), tab.affine(up.arg)) for up in prog.updates]
        self._query, self._evaluate = tab.affine(prog.query), tab.affine(prog.evaluate)
        self._init = [tab.column(prog.init[j]) for j in range(len(prog.names))]
        self.names = prog.names
        self.feed = _TransformFeed(method, prog.input_lags, cfg, tab)
        self.pre = method.pre.name if method.pre else None

    def start(self, theta: torch.Tensor) -> None:
        self.state = [c * theta for c in self._init]

    def query(self, k: int) -> torch.Tensor:
        return _apply(self._query, k, self.state, None)

    def evaluate(self, k: int) -> torch.Tensor | None:
        return None if self._evaluate is None else _apply(self._evaluate, k, self.state, None)

    def step(self, k: int, g: torch.Tensor) -> None:
        self.feed.update(k, int(self.ts[k]), g)
        u = self.feed[self.pre](g) if self.pre else g
        new = []
        for lin, tname, scale, arg in self.updates:
            v = _apply(lin, k, self.state, u)
            if tname is not None:
                v = v + scale[k] * self.feed[tname](_apply(arg, k, self.state, u))
            new.append(v)
        self.state = new


class AcceleratedForm:
    """Eq. (1): ``m = beta_a m + u``; ``w <- w - K Post(eta_a m + alpha_a u)``; optional weight average."""

    def __init__(self, method: Method, mp: Map, cfg: Config, ts: np.ndarray, *, dtype=torch.float64, device="cpu",
                 system: StepSystem | None = None):
        self.ts = ts
        system = system or StepSystem(method)
        prog = compile_accelerated(method, mp, cfg, ts)
        lags = compile_method(method, system, cfg, ts).input_lags if method.transforms else {}
        tab = _Tables(dtype, device)
        self.beta, self.eta, self.alpha, self.K = tab(prog.beta), tab(prog.eta), tab(prog.alpha), tab(prog.K)
        self.gamma_next = tab(prog.gamma)  # gamma at t + 1, for forming the average after step t
        self._m_start = tab.column(prog.m_start)
        self._avg_init = None if prog.avg_init is None else tab.column(prog.avg_init)
        self.feed = _TransformFeed(method, lags, cfg, tab)
        self.pre = method.pre.name if method.pre else None
        self.post = mp.post.name if mp.post else None

    def start(self, theta: torch.Tensor, w0: torch.Tensor) -> None:
        self.w = w0.clone()
        self.m = self._m_start * theta  # = beta_a(t0) m_init; step 0 then uses beta = 1
        self.wbar = None if self._avg_init is None else self._avg_init * theta

    def query(self, k: int) -> torch.Tensor:
        return self.w

    def evaluate(self, k: int) -> torch.Tensor | None:
        return self.wbar

    def step(self, k: int, g: torch.Tensor) -> None:
        self.feed.update(k, int(self.ts[k]), g)
        u = self.feed[self.pre](g) if self.pre else g
        self.m = self.beta[k] * self.m + u
        direction = self.eta[k] * self.m + self.alpha[k] * u
        self.w = self.w - self.K[k] * (self.feed[self.post](direction) if self.post else direction)
        if self.wbar is not None:
            gam = self.gamma_next[k]
            self.wbar = (1 - gam) * self.wbar + gam * self.w
