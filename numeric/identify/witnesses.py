"""The static witnesses: probes whose outcome is a verdict or a reason by itself, beside the regimes of Eq. (1)
(verdict.py decides). A parameter that never moves (:func:`_static`: pairs only, or not at all), coordinates
coupled under new gradients (:func:`_coupling`), a move under zero gradients from ``w_0 = 0``
(:func:`_zero_gradient_motion`), the dependence on the parameter that breaks translation invariance (weight decay,
:func:`_parameter_dependence`), a sign update and its direction (:func:`_sign`), a memoryless per-coordinate sign
step (:func:`_coordinate_sign_step`), and how a witness is worded (:func:`_ranges`, :func:`_orders`: the order of
the recurrence the query points follow instead). ``r`` is the identification's run (verdict.py's ``_Run``: the
driver, the sizes, the tolerance, the probes tried)."""
from __future__ import annotations

import math

import numpy as np

from . import fit as F
from . import probe as P


EXPLAINED = 1e-6
"""An order-K recurrence whose residual is this far below order 2's names the order (a float32 step inside a
library can leave ~1e-11 where the order-2 misfit is 1e-3); the verdict rests on order 2 failing."""


def _static(r, G1):
    """The parameter did not move from 0: (verdict, reason), or None when it moves from ``delta`` (the translation
    probe then says how it reads the parameter)."""
    delta = P.gaussian(1, r.D, r.seed + 2)[0]
    if np.max(np.abs(r.d.run(G1, delta).q - delta)) > 0:
        return None
    try:
        pair = r.d.run_pair(G1, delta)
    except P.ProbeError as err:
        return ("not-identified", "the parameter did not move under the base probe (all steps zero), from w_0 = "
                f"delta either; as one of two parameters the class raises ({err})")
    r.tried.append(("two parameters given together", float(np.max(np.abs(pair - delta)))))
    if np.all(np.isfinite(pair)) and np.max(np.abs(pair - delta)) > 0:
        return ("not-probed", "updates parameters only in pairs: a lone parameter never moves (from 0 or from "
                "w_0 = delta), two parameters given together both move (factor pairs such as LoRA's, in alternating "
                "order); the probes drive one parameter, so the class is not probed")
    return ("not-identified", "the parameter did not move under the base probe (all steps zero), from w_0 = delta "
            "either, nor as one of two parameters")


def _coupling(r, G1, delta):
    """(trajectory from ``delta`` under ``G1``, how far new gradients on the first half moved the second half under
    Gaussian gradients, and under a steady gradient). The steady gradient is the same at every step and of the
    constant-magnitude probe's size (``r.magnitude``): a switch that reads every coordinate once the gradient is
    steady (SWATS's switch to SGD, set from dot products over all coordinates when its estimate settles to 1e-6,
    which epsilon delays at |g| ~ 1) fires there. A 0/0 under a steady gradient is no evidence (0)."""
    T, D, h, d = r.T, r.D, r.D // 2, r.d
    shifted = d.run(G1, delta)
    Gc = G1.copy()
    Gc[:, :h] = P.gaussian(T, h, r.seed + 3, r.scale)
    other = d.run(Gc, delta)
    dev = F.deviation(other.q[:, h:], shifted.q[:, h:])
    steady = np.tile(P.gaussian(1, D, r.seed + 6, r.magnitude)[0], (T, 1))
    steady_c = steady.copy()
    steady_c[:, :h] = P.gaussian(1, h, r.seed + 7, r.magnitude)[0]
    s1, s2 = d.run(steady, delta), d.run(steady_c, delta)
    finite = np.all(np.isfinite(s1.q)) and np.all(np.isfinite(s2.q))
    return shifted, dev, F.deviation(s2.q[:, h:], s1.q[:, h:]) if finite else 0.0


def _ranges(ks: list) -> str:
    """[0, 1, 2, 5] -> '0..2, 5'."""
    out, start = [], ks[0]
    for a, b in zip(ks, ks[1:] + [None]):
        if b != a + 1:
            out.append(f"{start}..{a}" if a > start else f"{a}")
            start = b
    return ", ".join(out)


def _orders(r, q, g) -> str:
    """What a witness leaves open: the order of the recurrence the query points do follow (several momenta)."""
    res2 = F.fit_recurrence(q, g, 2).residual
    for K in range(3, 6):
        f = F.fit_recurrence(q, g, K)
        r.tried.append((f"order {K} fit", f.residual))
        if f.residual <= max(r.tol, EXPLAINED * res2):
            return f"; the query points follow a {K}-term recurrence instead (order {K} > 2: several momenta)"
    return ""


def _zero_gradient_motion(r):
    """(reason, size) when the class moves under zero gradients from ``w_0 = 0``, else None."""
    zero = r.d.run(np.zeros((r.T, r.D)))
    q = zero.q
    if not np.all(np.isfinite(q)):  # 0/0 in a preconditioner: no evidence either way
        r.tried.append(("zero gradients from 0", float("nan")))
        return None
    size = float(np.max(np.abs(q)))
    r.tried.append(("zero gradients from 0", size))
    if size == 0:
        return None
    k = int(np.argmax(np.any(q != 0, axis=1))) - 1
    i = int(np.argmax(np.abs(q[k + 1])))
    return (f"moves under zero gradients: from w_0 = 0 with g = 0 at every step, step {k} moves coordinate {i} to "
            f"{q[k + 1, i]:.3e} (|w| reaches {size:.1e} in {r.T} steps); every member of Eq. (1), plain, "
            "preconditioned or sign, stays at 0 there (its start m_a,t0-1 is a multiple of theta0 = 0, and a zero "
            "gradient is a zero input: a state started at a non-zero constant, as an initial accumulator for the first "
            "moment, is outside Eq. (1))"), size


def _sign(r, done, base, spread):
    T = r.T
    steps_ = np.abs(np.diff(base.q, axis=0))
    K = np.max(steps_, axis=1)
    ks = f"K_t = {K[0]:.10g} at every step" if np.allclose(K, K[0], rtol=1e-12, atol=0) else \
        "K_t = " + ", ".join(f"{x:.6g}" for x in K[:8]) + (", ..." if len(K) > 8 else "")
    head = ("nonlinear in the gradients, every coordinate moves by the same amount each step and scaling the "
            f"gradients changes nothing: a sign update w <- w - K_t sign(eta_a m_a + alpha_a g) with {ks}")
    from .sign import direction

    found = direction(r.d, steps=min(T, 10), seed=r.seed)
    if found is None:
        return done("sign", head + "; the direction's coefficients were not read off (no sign flip could be "
                    "bracketed)", residual=spread, step_size=K)
    eq, res_s, ctrl_s, tol_s = found
    r.tried.append(("sign flip points fit", res_s))
    r.tried.append(("control", ctrl_s))
    if not (res_s <= tol_s < ctrl_s):
        return done("sign", head + f"; the direction's coefficients were not identified (flip-point fit residual "
                    f"{res_s:.1e}, control {ctrl_s:.1e}, tolerance {tol_s:.1e})", residual=spread, step_size=K)
    return done("sign", head + "; the direction's coefficients from where the sign flips (gradients that zero "
                "the move, found by bisection), up to a positive factor per step: reported with eta_a + alpha_a "
                "= 1", residual=max(spread, res_s), step_size=K, eq=eq, control_rejected=True,
                regime="sign direction, eta_a + alpha_a = 1", tolerance=tol_s)


def _coordinate_sign_step(r, base, G1, b2, G2, s3) -> str | None:
    """A memoryless step per coordinate: on two Gaussian probes every coordinate moves against the sign of its
    current gradient or not at all, by amounts that differ across coordinates (not the sign family): Eq. (1) with
    beta_a arbitrary and a coordinate-wise preconditioner u_t = s_t * sign(g_t), s_t >= 0 read from the history
    (Rprop's adaptive steps)."""
    against, stays = True, 0
    for q, G in ((base.q, G1), (b2.q, G2)):
        dq = np.diff(q, axis=0)
        floor = 16 * F.EPS * np.maximum(np.abs(q[:-1]), np.abs(q[1:]))
        against &= bool(np.all((dq * G <= 0) | (np.abs(dq) <= floor)))
        stays += int(np.sum(np.abs(dq) <= floor))
    r.tried.append(("every coordinate moves against its current gradient", float(not against)))
    if not against:
        return None
    inv = F.deviation(s3.q, base.q)
    scale = ("scaling the gradients changes nothing (the steps do not read |g|)" if inv <= r.tol else
             f"the steps depend on |g| (x 3 moves the trajectory by {inv:.1e})")
    rest = f"; {stays} of {2 * r.T * r.D} coordinate steps do not move (a step of 0)" if stays else ""
    return ("memoryless with a per-coordinate step: on two Gaussian probes every coordinate moves against the sign of "
            "its own current gradient, w_i <- w_i - s_(t,i) sign(g_(t,i)) with s >= 0 read from the coordinate's "
            f"history (Rprop-type adaptive steps, not identified; they differ across coordinates, so not the sign "
            f"family){rest}; {scale}: Eq. (1) with beta_a arbitrary and the coordinate-wise preconditioner u_t = s_t "
            "sign(g_t)")


def _parameter_dependence(r, base, G1, delta, dev_t) -> str:
    """Weight decay: zero gradients from ``delta`` give the decay; a gradient ``-lambda delta`` cancels a coupled
    one (``g + lambda w`` is then 0 and nothing moves)."""
    T, D, tol, d = r.T, r.D, r.tol, r.d
    head = (f"parameter dependence: from w_0 = delta the trajectory is not the one from 0 shifted by delta "
            f"(deviation {dev_t:.1e}, tolerance {tol:.1e}), while every member of Eq. (1) is translation "
            "invariant")
    zero = d.run(np.zeros((T, D)), delta)
    ratio = zero.q / delta
    uniform = float(np.max(np.max(ratio, axis=1) - np.min(ratio, axis=1)))
    r.tried.append(("zero gradients from delta: spread of w_t / w_0", uniform))
    if uniform > 1e3 * tol:
        return head + "; with zero gradients w moves, but not in proportion to w (a decay through a " \
                      "preconditioner, a trust ratio or a norm)"
    kappa = 1.0 - float(np.mean(ratio[1]))
    if kappa == 0:
        return head + "; zero gradients leave w in place: the parameter enters through the gradient's response"
    b0 = float(np.sum(-(base.q[1] - base.q[0]) * G1[0]) / np.sum(G1[0] ** 2))
    lam = kappa / b0 if b0 else float("nan")
    if math.isfinite(lam):
        held = d.run(np.tile(-lam * delta, (T, 1)), delta)
        still = F.deviation(held.q, np.tile(delta, (T + 1, 1)))
        r.tried.append(("gradient -lambda w_0 cancels the decay", still))
        if still <= 1e3 * tol:
            return head + f"; weight decay coupled through the gradient (g + lambda w, L2), lambda = {lam:.6g} " \
                          f"(first-step shrink {kappa:.6g}): Eq. (1) on the objective plus lambda/2 |w|^2"
    return head + f"; decoupled weight decay: zero gradients shrink w by the factor 1 - {kappa:.6g} at the first " \
                  "step (= lr * weight_decay for the usual w <- (1 - lr wd) w), not through the gradient"
