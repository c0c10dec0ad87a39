"""Small torch optimizer classes written for the tests (identify probes them like any library class)."""
from __future__ import annotations

import torch


def elementwise(name: str, update, **defaults):
    """A torch optimizer class ``name`` whose step calls ``update(p, group, state)`` on every parameter."""

    def __init__(self, params, **kwargs):
        torch.optim.Optimizer.__init__(self, params, {**defaults, **kwargs})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                update(p, group, self.state[p])

    return type(name, (torch.optim.Optimizer,), {"__init__": __init__, "step": step, "__doc__": update.__doc__})


def lookahead(p, group, state):
    """Lookahead around SGD (``momentum`` 0) or heavy ball: k fast steps, then ``slow += alpha (fast - slow)`` and the
    fast weights restart from slow; the momentum buffer is carried across the syncs (so the decay rates of the
    state move with the step)."""
    k = state.get("k", 0)
    slow = state.setdefault("slow", p.detach().clone())
    buf = state.setdefault("buf", torch.zeros_like(p))
    buf.mul_(group["momentum"]).add_(p.grad)
    p.sub_(group["lr"] * buf)
    if (k + 1) % group["k"] == 0:
        slow.add_(group["alpha"] * (p - slow))
        p.copy_(slow)
    state["k"] = k + 1
