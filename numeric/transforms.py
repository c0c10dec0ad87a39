"""Concrete versions of the opaque transforms ``P_t`` of the proofs, as pure tensor functions.

A stateful transform keeps its state in a tensor that the caller threads
through the steps; its parameters come from coefficient tables, so every
configuration of a batch can have its own ``beta2`` and ``eps``.  Each side of
a replay has its own state, fed the gradients it sees: for a correct map both
sides see the same gradients and so apply the same ``P_t``.
"""
from __future__ import annotations

import torch

from equivalences.transform_kinds import ADAM, SIGN


def sign_apply(state, params, d):
    """Lion's ``P_t(d) = sign(d)``."""
    return torch.sign(d)


def adam_update(state, params, x):
    """``v_t = beta2 v_(t-1) + (1 - beta2) x_t^2`` (``x`` the transform's input, e.g. the gradient)."""
    beta2 = params["beta2"]
    return beta2 * state + (1 - beta2) * x * x


def adam_apply(state, params, d):
    """``P_t(d) = d / (sqrt(v_t * bias_t + eps_in) + eps)`` with ``bias_t = 1 / (1 - beta2^t)`` (or 1);
    ``eps_in`` (absent: 0) is an epsilon some libraries add inside the square root."""
    v = state * params["bias"]
    if "eps_in" in params:
        v = v + params["eps_in"]
    return d / (v.sqrt() + params["eps"])


KINDS = {
    SIGN.name: (None, sign_apply),
    ADAM.name: (adam_update, adam_apply),
}
"""kind -> (update(state, params, input) -> state or None for a stateless transform, apply(state, params, d)): the
concrete implementation of each :class:`equivalences.transform_kinds.TransformKind`."""
