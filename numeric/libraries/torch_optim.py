"""``torch.optim``: ``SGD`` (momentum, dampening, nesterov) and ``Adam`` (as Simplified-AdEMAMix with alpha = 0:
``m_ema = (1 - beta1) m`` and ``lr / (1 - beta1^t)``, so ``eta_t = lr (1 - beta1) / (1 - beta1^t)``)."""
import sympy as sp

from equivalences.symbols import t

from .driver import Adapter, Setting


def _sgd(kw):
    return {"mu": kw["momentum"], "nesterov": int(kw["nesterov"]),
            "tau": sp.Piecewise((0, t <= 1), (sp.sympify(kw["dampening"]), True)), "lr": kw["lr"]}, {}


def _adam(kw):
    beta1, beta2 = kw["betas"]
    return {"alpha": 0, "beta1": beta1, "beta2": beta2, "epsilon": kw["eps"],
            "eta": sp.Float(kw["lr"] * (1 - beta1)) / (1 - sp.Float(beta1) ** t)}, {}


ADAPTERS = (
    Adapter("torch.optim.SGD", "torch", "sgd-nesterov", _sgd, (
        Setting("lr=0.05 (momentum 0)", {"lr": 0.05}),
        Setting("lr=0.05 momentum=0.9 nesterov=True", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        Setting("lr=0.1 momentum=0.8 dampening=0.3", {"lr": 0.1, "momentum": 0.8, "dampening": 0.3}),
    ), fixed={"foreach": False}),
    Adapter("torch.optim.Adam", "torch", "simplified-ademamix", _adam, (
        Setting("defaults", {}),
        Setting("lr=0.01 betas=(0.8, 0.99) eps=1e-6", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
        Setting("amsgrad=True", {"amsgrad": True}, expect="differs", note="amsgrad's running max of v"),
    ), caveat="Adam's EMA momentum: eta_t = lr (1 - beta1) / (1 - beta1^t)", fixed={"foreach": False}),
)
