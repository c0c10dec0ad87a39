"""Sign updates (Lion): the direction's coefficients, up to a positive factor per step, from where the sign flips.

A sign member of Eq. (1) moves every coordinate by ``-K_t sign(d_t)``, ``d_t = eta_t m_t + alpha_t u_t``, i.e.
``d_k = sum_(j<=k) w_(k,j) g_j`` with ``w_(k,k) = eta_k + alpha_k`` and ``w_(k,j) = eta_k beta_k ... beta_(j+1)``.
Only the sign is observed, so only the ratios ``r_(k,j) = w_(k,j) / w_(k,k)`` are identifiable. Probe for step k:
a Gaussian history ``g_0..g_(k-1)`` per coordinate, then at step k the gradient ``x`` that makes the move vanish,
found by bisection on every coordinate at once (the optimizer rerun from scratch each time): ``x* = -sum_j
r_(k,j) g_j``, a linear least-squares problem across the coordinates, with its residual as the test. Then
``beta_(k-1) = r_(k,k-2) / r_(k,k-1)`` and ``eta_k / (eta_k + alpha_k) = r_(k,k-1) / beta_k``; the coefficients
are reported normalised to ``eta_a + alpha_a = 1`` (the positive factor is free; K_t carries the step size).
"""
from __future__ import annotations

import numpy as np

from . import fit as F
from . import probe as P

BISECTIONS = 64


def flip_points(driver: P.Driver, history: np.ndarray) -> np.ndarray | None:
    """Per coordinate, the gradient at step ``k = len(history)`` at which the move changes sign (None when the
    move does not change sign across the bracket)."""
    k, D = history.shape
    scale = max(float(np.max(np.abs(history))), 1.0)
    lo, hi = np.full(D, -1e3 * scale), np.full(D, 1e3 * scale)

    def against(x):  # True where the step moves against a positive x (d > 0)
        q = driver.run(np.vstack([history, x[None]])).q
        return q[k + 1] - q[k] < 0

    if not (np.all(against(hi)) and not np.any(against(lo))):
        return None
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = against(mid)
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
        if np.all(hi - lo <= 2 * F.EPS * np.maximum(np.abs(lo), np.abs(hi))):
            break
    return 0.5 * (lo + hi)


def direction(driver: P.Driver, steps: int = 10, dim: int = 32, seed: int = 0):
    """``(Eq1 normalised, residual, control residual)`` or None where a flip point could not be bracketed."""
    rng = np.random.default_rng(seed + 11)
    tol = F.tolerance(steps)
    ratios, res, ctrl = {}, 0.0, float("inf")
    for k in range(1, steps):
        H = rng.standard_normal((k, dim))
        x = flip_points(driver, H)
        if x is None:
            return None
        X = -H.T  # x* = -sum_j r_j g_j
        r = F.solve(X, x)
        scale = max(float(np.max(np.abs(x))), float(np.max(np.abs(X) @ np.abs(r))), 1e-300)
        res = max(res, float(np.max(np.abs(X @ r - x))) / scale)
        bad = r.copy()
        bad[-1] *= 1.01
        ctrl = min(ctrl, float(np.max(np.abs(X @ bad - x))) / scale)
        ratios[k] = r  # r[j] = w_(k,j) / w_(k,k), j = 0..k-1
    K = steps - 1
    beta = np.full(K, np.nan)
    for k in range(2, steps):  # beta_(k-1) = r_(k,k-2) / r_(k,k-1)
        r = ratios[k]
        beta[k - 1] = r[k - 2] / r[k - 1] if r[k - 1] != 0 else np.nan
    frac = np.full(K, np.nan)  # eta_k / (eta_k + alpha_k) = r_(k,k-1) / beta_k
    with np.errstate(all="ignore"):
        for k in range(1, K):
            frac[k] = ratios[k][k - 1] / beta[k] if np.isfinite(beta[k]) and beta[k] != 0 else np.nan
    frac[0] = frac[1] if K > 1 else np.nan  # step 0: m_0 = u_0, the split is a convention (as for linear ones)
    return F.Eq1(beta, frac, 1.0 - frac), res, ctrl if ctrl < float("inf") else 0.0, tol
