"""``lion-pytorch`` (lucidrains): ``Lion``.  ``update = sign(beta1 m + (1 - beta1) g)``, ``p -= lr update``,
``m <- beta2 m + (1 - beta2) g``; weight decay ``p *= 1 - lr wd`` first (0 by default)."""
from .driver import Adapter, Setting


def _lion(kw):
    beta1, beta2 = kw["betas"]
    return {"beta1": beta1, "beta2": beta2, "eta": kw["lr"]}, {}


ADAPTERS = (
    Adapter("lion_pytorch.Lion", "lion-pytorch", "lion", _lion, (
        Setting("defaults", {}),
        Setting("lr=3e-3 betas=(0.95, 0.98)", {"lr": 3e-3, "betas": (0.95, 0.98)}),
        Setting("weight_decay=0.1", {"weight_decay": 0.1}, expect="differs",
                note="decoupled weight decay p *= 1 - lr wd is not a gradient term"),
    )),
)
