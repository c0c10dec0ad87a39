"""``heavyball`` 3.x: SGD, AdamW (plain and ``mars=True``), AdEMAMix, SFAdamW.

Each class is a chain of transforms (``heavyball.chainable``); what the chain computes at step ``t = 1, 2, ...``
(the library's ``group["step"]``), read from its source:

* step size ``lr_t = lr * t / max(t, warmup_steps + 1)`` -- the warmup reaches ``lr`` at step ``warmup_steps + 1``;
  it is a tensor of torch's *default* dtype (float32), whatever the parameter and ``storage_dtype``, so it is
  rounded to float32 even in a float64 run.  The map's step-size schedule is that float32 sequence
  (:func:`float32_lr`).
* bias corrections are folded into the EMA coefficient: ``beta_debias(b, t) = 1 - (1 - b) / (1 - b^t)`` makes
  ``lerp(m, x, 1 - beta_debias)`` the bias-corrected EMA itself.
* ``eps`` is a floor, not a summand: ``sqrt(v_hat).clamp(min=eps)`` (``eps_sqrt``).  The map runs with
  ``epsilon = 0``, which is exact while no coordinate of ``sqrt(v_hat)`` falls below ``eps``.
* SGD: ``m <- beta m + g``, ``p <- p - lr_t m`` (heavy ball, no dampening).
* AdamW: ``p <- p - lr_t m_hat / max(sqrt(v_hat), eps)``; ``mars=True`` first replaces ``g`` by
  ``c_t = g + mars_gamma beta1/(1 - beta1) (g - g_prev)`` (``g_prev = 0`` at step 1, no clipping) for both moments.
* AdEMAMix: ``(m1_hat + alpha_t m2) / max(sqrt(v_hat), eps)``, ``m2`` a plain EMA with ``beta3_t``;
  ``alpha_warmup`` ramps ``alpha_t = alpha t / T`` and ``beta3_warmup`` interpolates the half-life from ``beta1``
  to ``beta3`` (with ``log(beta + 1e-8)``, so ``beta1 = 0`` does not crash).
* SFAdamW: Schedule-Free on ``g / max(sqrt(v_hat), eps)``; ``ckp1 = w_t / sum w``, ``w_t = lr_t^weight_lr_power
  * t^r``, both computed in float32 like ``lr_t`` (:func:`float32_schedule_free_c`).

``torch.compile`` is on by default (``heavyball.utils.compile_mode``, read at every call); :func:`eager` sets it to
``None`` for the duration of a run and restores it.  State is stored in float64 (``storage_dtype='float64'``).
"""
import contextlib

import numpy as np
import sympy as sp

from equivalences.symbols import t

from .driver import Adapter, Setting, eval_mode_point, sequence

FIXED = {"storage_dtype": "float64"}


@contextlib.contextmanager
def eager():
    """heavyball without ``torch.compile`` for the duration of one run (the switch is a module global)."""
    from heavyball import utils

    saved = utils.compile_mode
    utils.compile_mode = None
    try:
        yield
    finally:
        utils.compile_mode = saved


def _lr_values(lr: float, warmup: int, n: int) -> list:
    """``lr_t`` for ``t = 1..n`` as ``ChainOpt._step_inner`` computes it: ``base_lr * step / step.clamp(min=
    warmup_steps + 1)`` with an int64 step tensor, i.e. a tensor of torch's default dtype (float32)."""
    import torch

    out = []
    for s in range(1, n + 1):
        step = torch.tensor(s, dtype=torch.int64)
        out.append(lr * step / step.clamp(min=warmup + 1))
    return out


def float32_lr(lr: float, warmup: int):
    """The step size of step ``t`` as the library has it: ``lr * t / max(t, warmup + 1)`` in float32."""
    return sequence("lr_heavyball", lambda n: [np.nan] + [float(x) for x in _lr_values(lr, warmup, n)])


def float32_schedule_free_c(lr: float, warmup: int, r: float, power: float):
    """Schedule-Free's ``ckp1`` of step ``t`` (``update_by_schedule_free``: ``w_t = |lr_t|^power * t^r``, a running
    float32 sum) as our ``c_(t+1)``: the value at ``s`` is ``ckp1`` of step ``s - 1``."""
    import torch

    def table(n):
        out, weight_sum = [np.nan, np.nan], 0
        for s, lr_t in enumerate(_lr_values(lr, warmup, n), start=1):
            weight = abs(lr_t) ** power * torch.tensor(s, dtype=torch.int64).clamp(min=1) ** r
            weight_sum = weight_sum + weight
            out.append(float(weight / weight_sum))
        return out

    return sequence("c_heavyball", table)


def float32_debiased_beta(beta: float):
    """``beta_debias(beta, t) = 1 - (1 - beta) / (1 - beta^t)`` as ``scale_by_exp_avg_sq`` (SFAdamW) calls it: with
    a python float ``beta`` and the int64 step tensor, ``beta ** step`` is a float32 tensor.  The EMA with this
    coefficient is the bias-corrected ``v_hat`` itself, so the map's transform takes it as its ``beta2`` schedule
    with ``bias_correction = False``."""
    import torch

    return sequence("beta2_heavyball", lambda n: [np.nan] + [
        float(1 - (1 - beta) / (1 - beta ** torch.tensor(s, dtype=torch.int64))) for s in range(1, n + 1)])


def _ademamix_alpha(alpha: float, warmup):
    if not warmup or warmup <= 0:
        return sp.Float(alpha)
    return sp.Piecewise((sp.Float(alpha) * t / sp.Integer(warmup), t < warmup), (sp.Float(alpha), True))


def _ademamix_beta3(beta1: float, beta3: float, warmup, eps: float = 1e-8):
    """``linear_hl_warmup_scheduler``: half-life ``log(0.5)/log(beta + eps) - 1`` linear in ``t / T`` from
    ``beta1`` to ``beta3``, i.e. ``beta = exp(l1 l3 / ((1 - a) l3 + a l1))``, ``l = log(beta + eps)``."""
    if not warmup or warmup <= 0:
        return sp.Float(beta3)
    a = t / sp.Integer(warmup)
    l1, l3 = sp.log(sp.Float(beta1) + sp.Float(eps)), sp.log(sp.Float(beta3) + sp.Float(eps))
    beta = sp.exp(l1 * l3 / ((1 - a) * l3 + a * l1))
    return sp.Piecewise((sp.Min(sp.Max(beta, 0), 1 - sp.Float(eps)), t < warmup), (sp.Float(beta3), True))


def _sgd(kw):
    return {"mu": kw["beta"], "nesterov": 0, "tau": 0, "lr": float32_lr(kw["lr"], kw["warmup_steps"])}, {}


def mars_gamma(kw) -> float:
    """The library's MARS coefficient as our ``gamma``.  ``chainable.mars`` calls ``mars_correction(g, old_g,
    beta1, gamma)`` as ``(..., group["mars_gamma"], beta1)``: the two are swapped, so the correction is
    ``a = mars_gamma * beta1 / (1 - mars_gamma)`` for the documented ``gamma * beta1 / (1 - beta1)``; our
    ``gamma = mars_gamma (1 - beta1) / (1 - mars_gamma)`` gives the same ``a``."""
    if not kw["mars"]:
        return 0.0
    return kw["mars_gamma"] * (1 - kw["betas"][0]) / (1 - kw["mars_gamma"])


def _adamw(kw):
    beta1, beta2 = kw["betas"]
    return {"beta1": beta1, "beta2": beta2, "gamma": mars_gamma(kw), "epsilon": 0,
            "b": 1, "eta": float32_lr(kw["lr"], kw["warmup_steps"])}, {}


def _ademamix(kw):
    beta1, beta2, beta3 = kw["betas"]
    return {"beta2": beta2, "epsilon": 0, "alpha": _ademamix_alpha(kw["alpha"], kw["alpha_warmup"]),
            "beta3": _ademamix_beta3(beta1, beta3, kw["beta3_warmup"]),
            "eta": float32_lr(kw["lr"], kw["warmup_steps"])}, {}


def _sfadamw(kw):
    beta1, beta2 = kw["betas"]
    return {"beta": beta1, "beta2": beta2, "epsilon": 0, "gamma": float32_lr(kw["lr"], kw["warmup_steps"]),
            "c": float32_schedule_free_c(kw["lr"], kw["warmup_steps"], kw["r"], kw["weight_lr_power"])}, \
        {"P_sf": {"beta2": float32_debiased_beta(beta2), "bias_correction": False}}


_EPS = "eps is a floor max(sqrt(v_hat), eps), not a summand: mapped with epsilon = 0"
_LR32 = "lr_t (and Schedule-Free's weights) computed in float32 whatever the dtypes"
_CAUTION = "caution=True masks the update where its sign disagrees with g and rescales it: not in Eq. (1)"
_WD = "weight_decay shrinks p by (1 - lr_t wd) (decoupled): not a term of Eq. (1)"

ADAPTERS = (
    Adapter("heavyball.SGD", "heavyball", "sgd-nesterov", _sgd, (
        Setting("defaults", {}),
        Setting("lr=0.01 beta=0.5 warmup_steps=20", {"lr": 0.01, "beta": 0.5, "warmup_steps": 20}),
        Setting("caution=True", {"caution": True}, expect="differs", note=_CAUTION),
        Setting("mars=True", {"mars": True}, expect="differs",
                note="mars=True feeds c_t = g + gamma beta/(1 - beta)(g - g_prev) to the heavy ball: not sgd-nesterov"),
    ), caveat=_LR32, fixed=FIXED, context=eager),
    Adapter("heavyball.AdamW", "heavyball", "mars", _adamw, (
        Setting("defaults (mars=False: gamma = 0)", {}),
        Setting("mars=True (MARS-AdamW)", {"mars": True}),
        Setting("mars=True lr=0.01 betas=(0.95, 0.999) mars_gamma=0.025 warmup_steps=30",
                {"mars": True, "lr": 0.01, "betas": (0.95, 0.999), "mars_gamma": 0.025, "warmup_steps": 30}),
        Setting("eps=1 (floor active)", {"eps": 1.0}, expect="differs",
                note="eps = 1 exceeds sqrt(v_hat): the floor max(sqrt(v_hat), eps) acts"),
        Setting("weight_decay=0.01", {"weight_decay": 0.01}, expect="differs", note=_WD),
        Setting("mars=True caution=True", {"mars": True, "caution": True}, expect="differs", note=_CAUTION),
    ), caveat=f"{_EPS}; {_LR32}; mars=True: mars_gamma and beta1 swapped (our gamma = mars_gamma (1 - beta1) / "
              "(1 - mars_gamma))", fixed=FIXED, context=eager),
    Adapter("heavyball.AdEMAMix", "heavyball", "ademamix", _ademamix, (
        Setting("beta1=0 (otherwise defaults)", {"betas": (0.0, 0.999, 0.9999)}),
        Setting("beta1=0 lr=0.01 betas=(0, 0.99, 0.999) alpha=8 alpha_warmup=100 beta3_warmup=200",
                {"lr": 0.01, "betas": (0.0, 0.99, 0.999), "alpha": 8.0, "alpha_warmup": 100,
                 "beta3_warmup": 200}),
        Setting("defaults (beta1=0.9)", {}, expect="differs",
                note="beta1 != 0: the update reads two momenta, not an instance of Eq. (1)"),
    ), caveat=f"only beta1 = 0; {_EPS}; {_LR32}", fixed=FIXED, context=eager),
    Adapter("heavyball.SFAdamW", "heavyball", "schedule-free-adamw", _sfadamw, (
        Setting("defaults", {}),
        Setting("lr=0.01 betas=(0.95, 0.999) warmup_steps=40 r=1 weight_lr_power=1",
                {"lr": 0.01, "betas": (0.95, 0.999), "warmup_steps": 40, "r": 1.0, "weight_lr_power": 1.0}),
        # u = g / max(sqrt(v_hat), eps) has the sign of g: the caution mask never acts, the rescale is 1
        Setting("caution=True (a no-op here)", {"caution": True}),
    ), caveat=f"{_EPS}; {_LR32}; its 1 - beta2^t in float32 (mapped as a beta2 schedule)", fixed=FIXED,
        context=eager, evaluate=eval_mode_point,
        prepare=lambda opt: opt.train()),
)
