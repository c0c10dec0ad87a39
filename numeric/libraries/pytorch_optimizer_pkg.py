"""``pytorch-optimizer`` (kozistr): AdEMAMix, SimplifiedAdEMAMix, MARS, Lion, QHM, ScheduleFreeSGD,
ScheduleFreeAdamW.  What each computes, read from its source, is in docs/libraries.md.
"""
import sympy as sp

from equivalences.symbols import t

from .driver import Adapter, Setting, eval_mode_point
from .schedulefree_pkg import adamw_values, sgd_values


def _ademamix(kw):
    _, beta2, beta3 = kw["betas"]  # beta1 = 0: bias_correction1 = 1 - 0^t = 1, the fast EMA is g itself
    return {"beta2": beta2, "epsilon": kw["eps"], "alpha": kw["alpha"], "beta3": beta3, "eta": kw["lr"]}, {}


def _simplified(kw):
    """Its ``m`` is an EMA, ``(1 - beta1)`` times Algorithm 2's ``m``: eta = lr (1 - beta1), alpha / (1 - beta1).
    Its denominator is ``sqrt(d_t) (sqrt(v) + sqrt(d_t) eps) = d_t (sqrt(v / d_t) + eps)`` with
    ``d_t = 1 - beta2^t``: Adam's bias-corrected denominator, and the step divided once more by ``d_t``."""
    beta1, beta2 = kw["betas"]
    d = 1 - sp.Float(beta2) ** t
    return {"beta1": beta1, "beta2": beta2, "epsilon": kw["eps"], "alpha": kw["alpha"] / (1 - beta1),
            "eta": sp.Float(kw["lr"] * (1 - beta1)) / d}, {}


# apply_ams_bound's undocumented exp_avg_sq_eps: sqrt(v + 1e-15) in place of sqrt(v)
HIDDEN_EPS = 1e-15


def _mars(kw):
    """``de_nom = (sqrt(v + 1e-15) + eps) / sqrt(1 - beta2^t) * (1 - beta1^t)``: with the bias-corrected
    ``v / (1 - beta2^t)``, eps enters as ``eps / sqrt(1 - beta2^t)`` and ``1e-15 / (1 - beta2^t)`` under the root."""
    beta1, beta2 = kw["betas"]
    bc2 = 1 - sp.Float(beta2) ** t
    return {"beta1": beta1, "beta2": beta2, "gamma": kw["gamma"], "epsilon": kw["eps"], "b": 1, "eta": kw["lr"]}, \
        {"P": {"eps": sp.Float(kw["eps"]) / sp.sqrt(bc2), "eps_in": sp.Float(HIDDEN_EPS) / bc2}}


def _lion(kw):
    beta1, beta2 = kw["betas"]
    return {"beta1": beta1, "beta2": beta2, "eta": kw["lr"]}, {}


def _qhm(kw):
    return {"alpha": kw["lr"], "beta": kw["momentum"], "nu": kw["nu"]}, {}


def _train(opt):
    opt.train()


ADAPTERS = (
    Adapter("pytorch_optimizer.AdEMAMix", "pytorch-optimizer", "ademamix", _ademamix, (
        Setting("beta1=0 (otherwise defaults)", {"betas": (0.0, 0.999, 0.9999)}),
        Setting("beta1=0 lr=0.01 betas=(0, 0.99, 0.999) alpha=8 eps=1e-6",
                {"lr": 0.01, "betas": (0.0, 0.99, 0.999), "alpha": 8.0, "eps": 1e-6}),
        Setting("defaults (beta1=0.9)", {}, expect="differs",
                note="beta1 != 0: the update reads two momenta, not an instance of Eq. (1)"),
        Setting("beta1=0 t_alpha_beta3=100", {"betas": (0.0, 0.999, 0.9999), "t_alpha_beta3": 100.0},
                expect="differs", note="with beta1 = 0 the beta3 scheduler takes log(beta1) and crashes"),
    ), caveat="only beta1 = 0 and constant alpha, beta3 (the scheduler starts beta3 at beta1)", fixed={"foreach": False}),
    Adapter("pytorch_optimizer.SimplifiedAdEMAMix", "pytorch-optimizer", "simplified-ademamix", _simplified, (
        Setting("defaults", {}),
        Setting("lr=1e-3 betas=(0.9, 0.99) alpha=2 eps=1e-6", {"lr": 1e-3, "betas": (0.9, 0.99), "alpha": 2.0,
                                                             "eps": 1e-6}),
        Setting("foreach=True", {"foreach": True}, expect="differs",
                note="the foreach path rounds sqrt(1 - beta2^t) to float32"),
    ), caveat="its momentum is an EMA: lr and alpha rescale by 1 - beta1", fixed={"foreach": False}),
    Adapter("pytorch_optimizer.MARS", "pytorch-optimizer", "mars", _mars, (
        Setting("defaults + optimize_1d=True (gradients small enough that |c_t| <= 1)", {}, scale=0.02),
        Setting("lr=1e-2 betas=(0.9, 0.99) gamma=0.05 eps=1e-6 (|c_t| <= 1)",
                {"lr": 1e-2, "betas": (0.9, 0.99), "gamma": 0.05, "eps": 1e-6}, scale=0.02),
        Setting("defaults + optimize_1d=True, |c_t| > 1", {}, expect="differs",
                note="c_t is rescaled to norm 1 when its norm exceeds 1 (clipping; not in §4.3)"),
        Setting("defaults (optimize_1d=False)", {"optimize_1d": False}, expect="differs",
                note="a 1-d parameter gets plain AdamW (betas_1d, weight_decay_1d=0.1), no MARS correction"),
    ), caveat="eps enters as eps / sqrt(1 - beta2^t); c_t clipped at norm 1",
        fixed={"foreach": False, "optimize_1d": True}),
    Adapter("pytorch_optimizer.Lion", "pytorch-optimizer", "lion", _lion, (
        Setting("defaults", {}),
        Setting("lr=3e-3 betas=(0.95, 0.98)", {"lr": 3e-3, "betas": (0.95, 0.98)}),
    ), fixed={"foreach": False}),
    Adapter("pytorch_optimizer.QHM", "pytorch-optimizer", "qhm", _qhm, (
        Setting("defaults", {}),
        Setting("lr=0.1 momentum=0.999 nu=0.7", {"lr": 0.1, "momentum": 0.999, "nu": 0.7}),
    )),
    Adapter("pytorch_optimizer.ScheduleFreeSGD", "pytorch-optimizer", "schedule-free", sgd_values, (
        Setting("defaults", {}),
        Setting("lr=0.3 momentum=0.8 warmup_steps=50 r=0.5 weight_lr_power=3",
                {"lr": 0.3, "momentum": 0.8, "warmup_steps": 50, "r": 0.5, "weight_lr_power": 3.0}),
    ), fixed={"foreach": False}, evaluate=eval_mode_point, prepare=_train),
    Adapter("pytorch_optimizer.ScheduleFreeAdamW", "pytorch-optimizer", "schedule-free-adamw", adamw_values, (
        Setting("defaults", {}),
        Setting("lr=0.01 betas=(0.95, 0.99) eps=1e-6 warmup_steps=40 r=1 weight_lr_power=1",
                {"lr": 0.01, "betas": (0.95, 0.99), "eps": 1e-6, "warmup_steps": 40, "r": 1.0,
                 "weight_lr_power": 1.0}),
    ), fixed={"foreach": False}, evaluate=eval_mode_point, prepare=_train),
)
