"""Seeded stochastic problems: both forms get the same noise sample each step, each at its own query point."""
from __future__ import annotations

import math

import torch


class NoisyLeastSquares:
    """``f(x) = 1/2 (x - x*)^T H (x - x*)`` with a diagonal ``H`` of condition number ``kappa``.

    The stochastic gradient at step ``k`` is ``H (x - x*) + sigma * xi_k`` with
    ``xi_k`` standard normal, drawn from a generator seeded by ``seed``: the
    same ``k`` gives the same ``xi_k`` to both forms.
    """

    name = "noisy least squares"

    def __init__(self, dim: int, *, kappa: float = 100.0, sigma: float = 0.1, seed: int = 0,
                 dtype=torch.float64, device="cpu"):
        gen = torch.Generator(device="cpu").manual_seed(seed)
        self.h = torch.logspace(0, -math.log10(kappa), dim, dtype=torch.float64).to(dtype=dtype, device=device)
        self.x_star = torch.randn(dim, generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)
        self.sigma, self.seed, self.dim = sigma, seed, dim
        self.dtype, self.device = dtype, device

    def start(self, batch: int) -> torch.Tensor:
        gen = torch.Generator(device="cpu").manual_seed(self.seed + 1)
        x0 = torch.randn(self.dim, generator=gen, dtype=torch.float64).to(dtype=self.dtype, device=self.device)
        return x0.expand(batch, self.dim).clone()

    def noise_stream(self, batch: int):
        """An iterator of per-step noise samples, shape ``(batch, dim)``."""
        gen = torch.Generator(device="cpu").manual_seed(self.seed + 2)
        while True:
            yield torch.randn(batch, self.dim, generator=gen, dtype=torch.float64).to(dtype=self.dtype, device=self.device)

    def grad(self, x: torch.Tensor, xi: torch.Tensor) -> torch.Tensor:
        return self.h * (x - self.x_star) + self.sigma * xi
