"""``schedulefree`` (Defazio et al.'s reference package): SGDScheduleFree, SGDScheduleFreeReference,
AdamWScheduleFree.

What they compute (step ``k = 0, 1, ...``; ``y`` is ``p`` in train mode, ``x`` in eval mode)::

    lr_k  = lr * min(1, (k+1)/warmup_steps)          lr_max = max(lr_max, lr_k)
    w_k   = (k+1)^r * lr_max^weight_lr_power         c = w_k / sum_(i<=k) w_i
    z    <- z - lr_k g                               x <- (1 - c) x + c z,   y = momentum x + (1 - momentum) z

(AdamW: ``g`` replaced by ``g / (sqrt(v / (1 - beta2^(k+1))) + eps)``, no bias correction of the step.)
That is §4.1 with ``beta = momentum``, ``gamma_t = lr_t`` and ``c_(t+1) = w_(t-1) / sum``; with
``r = 0`` and a constant lr, ``c_(t+1) = 1/t`` -- the first step sets ``x_2 = z_2``, where the paper's
default ``c_(t+1) = 1/(t+1)`` keeps half of ``x_1``.
"""
from .driver import Adapter, Setting, eval_mode_point, schedule_free_c, warmup_lr


def sgd_values(kw):
    """Schedule-Free SGD's settings (the names both schedulefree and pytorch-optimizer use) as our values."""
    return {"beta": kw["momentum"], "gamma": warmup_lr(kw["lr"], kw["warmup_steps"]),
            "c": schedule_free_c(kw["lr"], kw["warmup_steps"], kw["r"], kw["weight_lr_power"])}, {}


def adamw_values(kw):
    """Schedule-Free AdamW's settings as our values."""
    beta1, beta2 = kw["betas"]
    return {"beta": beta1, "beta2": beta2, "epsilon": kw["eps"], "gamma": warmup_lr(kw["lr"], kw["warmup_steps"]),
            "c": schedule_free_c(kw["lr"], kw["warmup_steps"], kw["r"], kw["weight_lr_power"])}, {}


_SGD_SETTINGS = (
    Setting("defaults", {}),
    Setting("lr=0.3 momentum=0.8 warmup_steps=50 r=0.5 weight_lr_power=3",
            {"lr": 0.3, "momentum": 0.8, "warmup_steps": 50, "r": 0.5, "weight_lr_power": 3.0}),
    Setting("weight_decay=0.01", {"weight_decay": 0.01}, expect="differs",
            note="weight decay adds wd * y to the gradient: a gradient of a different objective"),
)

ADAPTERS = (
    Adapter("schedulefree.SGDScheduleFree", "schedulefree", "schedule-free", sgd_values, _SGD_SETTINGS,
            fixed={"foreach": False}, evaluate=eval_mode_point, prepare=lambda opt: opt.train()),
    Adapter("schedulefree.SGDScheduleFreeReference", "schedulefree", "schedule-free", sgd_values, _SGD_SETTINGS,
            evaluate=eval_mode_point, prepare=lambda opt: opt.train()),
    Adapter("schedulefree.AdamWScheduleFree", "schedulefree", "schedule-free-adamw", adamw_values, (
        Setting("defaults", {}),
        Setting("lr=0.01 betas=(0.95, 0.99) eps=1e-6 warmup_steps=40 r=1 weight_lr_power=1",
                {"lr": 0.01, "betas": (0.95, 0.99), "eps": 1e-6, "warmup_steps": 40, "r": 1.0,
                 "weight_lr_power": 1.0}),
    ), fixed={"foreach": False}, evaluate=eval_mode_point, prepare=lambda opt: opt.train()),
)
