"""Seeded stochastic problems: both forms get the same noise sample each step, each at its own query point.

Every problem has ``dim``, ``start(K)`` (the same starting point for all ``K``
configurations), ``noise_stream(K)`` (an iterator of per-step noise, the
same sequence for a given seed) and ``grad(x, xi)`` for a batch ``x`` of
shape ``(K, dim)``; the noise of step ``k`` is one ``(1, dim)`` sample shared by all configurations.
``noise="cpu"`` (the default) draws the noise with a CPU
generator, so CPU and CUDA runs see the same numbers; ``noise="device"`` draws
it on the device (fast; reproducible per device).
"""
from __future__ import annotations

import math

import torch


class _Problem:
    name = "problem"

    def __init__(self, dim: int, *, sigma: float = 0.1, seed: int = 0, dtype=torch.float64, device="cpu",
                 noise: str = "cpu"):
        self.dim, self.sigma, self.seed, self.dtype, self.device, self.noise = dim, sigma, seed, dtype, device, noise
        self.gen = torch.Generator(device="cpu").manual_seed(seed)

    def _randn(self, *shape, gen=None):
        return torch.randn(*shape, generator=gen or self.gen, dtype=torch.float64).to(dtype=self.dtype,
                                                                                      device=self.device)

    def start(self, batch: int) -> torch.Tensor:
        gen = torch.Generator(device="cpu").manual_seed(self.seed + 1)
        return self._randn(self.dim, gen=gen).expand(batch, self.dim).clone()

    def noise_stream(self, batch: int):
        """Per-step noise of shape ``(1, dim)``: every configuration of a batch sees the same sample, so a
        configuration replayed inside a batch and alone give bitwise the same numbers."""
        if self.noise == "device":
            gen = torch.Generator(device=self.device).manual_seed(self.seed + 2)
            while True:
                yield torch.randn(1, self.dim, generator=gen, dtype=self.dtype, device=self.device)
        gen = torch.Generator(device="cpu").manual_seed(self.seed + 2)
        while True:
            yield self._randn(1, self.dim, gen=gen)


class NoisyLeastSquares(_Problem):
    """``f(x) = 1/2 (x - x*)^T H (x - x*)``, ``H`` diagonal with eigenvalues from 1 down to ``1/kappa``.

    Stochastic gradient: ``H (x - x*) + sigma * xi_k``.
    """

    name = "noisy least squares"

    def __init__(self, dim: int, *, kappa: float = 100.0, **kw):
        super().__init__(dim, **kw)
        self.h = torch.logspace(0, -math.log10(kappa), dim, dtype=torch.float64).to(dtype=self.dtype, device=self.device)
        self.x_star = self._randn(dim)

    def grad(self, x, xi):
        return self.h * (x - self.x_star) + self.sigma * xi


class DenseLeastSquares(NoisyLeastSquares):
    """As :class:`NoisyLeastSquares` with a dense ``H = Q diag(h) Q^T`` (random orthogonal ``Q``)."""

    name = "noisy least squares (dense Hessian)"

    def __init__(self, dim: int, **kw):
        super().__init__(dim, **kw)
        q, _ = torch.linalg.qr(torch.randn(dim, dim, generator=self.gen, dtype=torch.float64))
        H = (q * self.h.to(torch.float64).cpu()) @ q.T
        self.H = ((H + H.T) / 2).to(dtype=self.dtype, device=self.device)

    def grad(self, x, xi):
        return (x - self.x_star) @ self.H + self.sigma * xi


class LogisticRegression(_Problem):
    """Mean logistic loss over ``n`` fixed examples with labels from a random teacher, plus ``lam/2 |x|^2``.

    Stochastic gradient: the full gradient plus ``sigma * xi_k``.
    """

    name = "logistic regression"

    def __init__(self, dim: int, *, n: int = 256, lam: float = 1e-2, **kw):
        super().__init__(dim, **kw)
        self.A = self._randn(n, dim) / math.sqrt(dim)
        teacher = self._randn(dim)
        self.y = (self.A @ teacher > 0).to(self.dtype)
        self.lam = lam

    def grad(self, x, xi):
        p = torch.sigmoid(x @ self.A.T)
        return (p - self.y) @ self.A / self.A.shape[0] + self.lam * x + self.sigma * xi


class MLP(_Problem):
    """A small nonconvex problem: a one-hidden-layer tanh network (``width`` hidden units) fitting a fixed
    random regression target; the parameters, flattened, are the iterate (``dim = 4*width + width + width + 1``
    for 4 inputs).  Gradients by ``torch.func.grad``, batched over configurations by ``vmap``."""

    name = "tanh MLP regression"

    def __init__(self, width: int = 8, *, n: int = 64, inputs: int = 4, **kw):
        self.inputs, self.width = inputs, width
        super().__init__(inputs * width + width + width + 1, **kw)
        self.X = self._randn(n, inputs)
        self.Y = torch.sin(self.X.sum(dim=1, keepdim=True))
        from torch.func import grad, vmap

        self._grad = vmap(grad(self.loss))

    def loss(self, p):
        i, w = self.inputs, self.width
        W1 = p[: i * w].reshape(i, w)
        b1 = p[i * w: i * w + w]
        W2 = p[i * w + w: i * w + 2 * w].reshape(w, 1)
        b2 = p[-1]
        out = torch.tanh(self.X @ W1 + b1) @ W2 + b2
        return ((out - self.Y) ** 2).mean() / 2

    def start(self, batch: int) -> torch.Tensor:
        return super().start(batch) * 0.5

    def grad(self, x, xi):
        return self._grad(x) + self.sigma * xi


PROBLEMS = {"lsq": NoisyLeastSquares, "lsq-dense": DenseLeastSquares, "logistic": LogisticRegression, "mlp": MLP}


def make(name: str, dim: int, **kw):
    if name not in PROBLEMS:
        raise ValueError(f"unknown problem {name!r}; choose one of {', '.join(PROBLEMS)}")
    if name == "mlp":
        return MLP(width=max(1, dim // 6), **kw)
    return PROBLEMS[name](dim, **kw)
