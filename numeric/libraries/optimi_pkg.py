"""``torch-optimi``: ``Lion`` and ``SGD`` (``lr`` has no default; ``kahan_sum`` only acts on 16-bit parameters).

SGD: ``dampening=False`` keeps ``m <- momentum m + g`` (heavy ball, step ``lr``); ``dampening=True`` an EMA
``m <- lerp(m, g, 1 - momentum)`` from zero (heavy ball with step ``lr (1 - momentum)``), or, with
``torch_init=True``, started at ``m = g`` as torch does (torch's SGD with ``dampening = momentum``).
"""
import sympy as sp

from equivalences.symbols import t

from .driver import Adapter, Setting


def _lion(kw):
    beta1, beta2 = kw["betas"]
    return {"beta1": beta1, "beta2": beta2, "eta": kw["lr"]}, {}


def _sgd(kw):
    mu, lr = kw["momentum"], kw["lr"]
    if kw["dampening"] and kw["torch_init"]:
        return {"mu": mu, "nesterov": 0, "tau": sp.Piecewise((0, t <= 1), (sp.Float(mu), True)), "lr": lr}, {}
    return {"mu": mu, "nesterov": 0, "tau": sp.Float(mu) if kw["dampening"] else 0, "lr": lr}, {}


ADAPTERS = (
    Adapter("optimi.Lion", "torch-optimi", "lion", _lion, (
        Setting("lr=1e-4 (lr has no default)", {"lr": 1e-4}),
        Setting("lr=3e-3 betas=(0.95, 0.98)", {"lr": 3e-3, "betas": (0.95, 0.98)}),
    ), fixed={"foreach": False}),
    Adapter("optimi.SGD", "torch-optimi", "sgd-nesterov", _sgd, (
        Setting("lr=0.05 (lr has no default; momentum 0)", {"lr": 0.05}),
        Setting("lr=0.05 momentum=0.9", {"lr": 0.05, "momentum": 0.9}),
        Setting("lr=0.1 momentum=0.8 dampening=True", {"lr": 0.1, "momentum": 0.8, "dampening": True}),
        Setting("lr=0.1 momentum=0.8 dampening=True torch_init=True",
                {"lr": 0.1, "momentum": 0.8, "dampening": True, "torch_init": True}),
    ), fixed={"foreach": False}),
)
