"""Concrete versions of the opaque transforms of the proofs.

Each side of a replay gets its own instance, fed the gradients it sees; since
both sides see the same gradients, a correct map gives the same transform.
"""
from __future__ import annotations

import torch


class Sign:
    """``P_t(x) = sign(x)`` (Lion)."""

    def update(self, t: int, x: torch.Tensor) -> None:
        pass

    def __call__(self, d: torch.Tensor) -> torch.Tensor:
        return torch.sign(d)


class Adam:
    """Adam's diagonal preconditioner ``P_t(d) = d / (sqrt(v_t / (1 - beta2^t)) + eps)``.

    ``v_t = beta2 v_(t-1) + (1 - beta2) x_t^2`` accumulates the transform's input
    (the gradient, or MARS's corrected gradient).  ``bias_correction=False``
    drops the ``1 - beta2^t`` factor.
    """

    def __init__(self, beta2: float, eps: float, bias_correction: bool = True):
        self.beta2, self.eps, self.bias_correction = beta2, eps, bias_correction
        self.v = None
        self.denominator = None

    def update(self, t: int, x: torch.Tensor) -> None:
        if self.v is None:
            self.v = torch.zeros_like(x)
        self.v.mul_(self.beta2).addcmul_(x, x, value=1 - self.beta2)
        v = self.v / (1 - self.beta2 ** t) if self.bias_correction else self.v
        self.denominator = v.sqrt().add_(self.eps)

    def __call__(self, d: torch.Tensor) -> torch.Tensor:
        return d / self.denominator


def build(kind: str, params: dict):
    if kind == "sign":
        return Sign()
    if kind == "adam":
        return Adam(float(params["beta2"]), float(params["eps"]), bool(params.get("bias_correction", True)))
    raise ValueError(f"unknown transform kind {kind!r}")
