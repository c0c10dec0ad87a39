"""Fit the query points' recurrence per step and read Eq. (1)'s coefficients off it (docs/engine.md).

For a member of Eq. (1) the query points obey, for every gradient sequence,

    q_(t+1) - q_t = A_t (q_t - q_(t-1)) - B_t g_t + C_t g_(t-1)
    A_t = eta_t beta_t / eta_(t-1),   B_t = eta_t + alpha_t,   C_t = A_t alpha_(t-1),

with the same (A_t, B_t, C_t) on every coordinate. A probe gives D coordinates, i.e. D equations per step
for three unknowns: least squares, and the residual says whether the recurrence holds. Read backwards:
``alpha_(t-1) = C_t / A_t``, ``eta_(t-1) = B_(t-1) - alpha_(t-1)``, ``beta_t = A_t eta_(t-1) / eta_t``.
The general order-K recurrence (K - 1 previous moves, K gradients) is fitted the same way to measure the
order of a response that order 2 does not fit.

Tolerance: the replay's, ``64 T eps``, each step's residual relative to that step (:func:`step_residual`).
A fit is accepted only when the same coefficients hold on a held-out probe (no refit) and a negative control
(the middle step's B 1 % off) exceeds the tolerance there in the same run.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = float(np.finfo(np.float64).eps)
ULPS_PER_STEP = 64
ZERO = 1e-9
"""|A_t|, |C_t| (dimensionless against 1 and B_t) below this count as 0: no momentum, no delayed gradient."""


SNAP = 1e-12
"""A coefficient this small against max |B_t| is rounding (the fit is good to ~1e-15): reported as exactly 0."""


def tolerance(steps: int) -> float:
    """``64 T eps``: what rounding can add in T steps of a stable float64 iteration (numeric/replay.py)."""
    return ULPS_PER_STEP * steps * EPS


def scale_of(*arrays) -> float:
    """The size rounding errors are relative to: the largest entry of the trajectories compared."""
    return max(float(np.max(np.abs(a))) for a in arrays if a is not None and a.size) or 1.0


@dataclass
class RecurrenceFit:
    """``coef[k]``: the coefficients of step k (predicting ``q[k+1] - q[k]``): ``a_1..a_(K-1)`` of the previous
    moves, then ``b_0`` of ``-g_k``, then ``c_1..c_(K-1)`` of ``+g_(k-j)``; NaN where the history is too short.
    The first move ``q_1 - q_0 = -b_0 g_0`` is never a column (it is a multiple of ``g_0``): the coefficient of
    ``g_0`` then holds the whole dependence on it (order 2, step 1: ``C_1 - A_1 B_0 = -eta_1 beta_1``)."""

    order: int
    coef: np.ndarray  # (T, 2K - 1)
    residual: float  # max_k |r_k|_inf / scale
    per_step: np.ndarray  # (T,)

    @property
    def A(self):
        return self.coef[:, 0] if self.order >= 2 else np.zeros(len(self.coef))

    @property
    def B(self):
        return self.coef[:, self.order - 1]

    @property
    def C(self):
        return self.coef[:, self.order] if self.order >= 2 else np.zeros(len(self.coef))


def solve(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares with the columns scaled to unit norm first: the columns of a probe differ in size by the
    step size (``|q| ~ lr |g| / eps`` against ``|g| ~ 1e-30``), and an unscaled solve then drops a column whose
    singular value falls under LAPACK's cutoff, leaving a misfit of ~1e-11 where the recurrence is exact."""
    norms = np.linalg.norm(X, axis=0)
    norms[norms == 0] = 1.0
    c, *_ = np.linalg.lstsq(X / norms, y, rcond=None)
    return c / norms


def _columns(dq: np.ndarray, g: np.ndarray, k: int, order: int):
    cols, idx = [], []
    for j in range(1, order):
        if k - j >= 1:  # the first move q_1 - q_0 = -b_0 g_0 is collinear with g_0: its column is dropped
            cols.append(dq[k - j]); idx.append(j - 1)
    cols.append(-g[k]); idx.append(order - 1)
    for j in range(1, order):
        if k - j >= 0:
            cols.append(g[k - j]); idx.append(order - 1 + j)
    return np.stack(cols, axis=1), idx


def step_residual(r: np.ndarray, move: np.ndarray, terms: np.ndarray, qmax: float, steps: int) -> float:
    """One step's residual ``r`` (a vector over coordinates) relative to the step itself, with the rounding floor of
    the points it is computed from: ``|r| / (d + 16 eps |q| / tol)``, ``d = max(|move|, |terms|)``. So
    ``residual <= tol`` exactly when ``|r| <= tol d + 16 eps |q|``: each step is judged against its own size (a
    step 1e-6 of |w| cannot hide a 1e-7 misfit behind the size of w), and a move computed as the difference of two
    large points is allowed their rounding."""
    d = max(float(np.max(np.abs(move))), float(np.max(np.abs(terms))))
    den = d + 16 * EPS * qmax / tolerance(steps)
    worst = float(np.max(np.abs(r)))
    if den == 0:
        return 0.0 if worst == 0 else float("inf")
    x = worst / den
    return x if np.isfinite(x) else float("inf")


def _qmax(q: np.ndarray, k: int) -> float:
    return float(np.max(np.abs(q[max(k - 1, 0):k + 2])))


def fit_recurrence(q: np.ndarray, g: np.ndarray, order: int = 2) -> RecurrenceFit:
    """Per-step least squares of ``q[k+1] - q[k]`` on the previous moves and gradients (order K)."""
    T = g.shape[0]
    dq = np.diff(q, axis=0)
    coef = np.full((T, 2 * order - 1), np.nan)
    res = np.zeros(T)
    for k in range(T):
        X, idx = _columns(dq, g, k, order)
        c = solve(X, dq[k])
        coef[k, idx] = c
        res[k] = step_residual(dq[k] - X @ c, dq[k], np.abs(X) @ np.abs(c), _qmax(q, k), T)
    return RecurrenceFit(order, coef, float(np.max(res)), res)


@dataclass
class Eq1:
    """Eq. (1)'s coefficients of steps ``k = 0..K-1`` (``t = t0 + k``) and, when identified, the averaging weight
    ``gamma[k]`` that forms the evaluation point after step k (``gamma_bar_(t+1)``)."""

    beta: np.ndarray  # beta[0] is not identifiable (it multiplies the zero start); NaN there
    eta: np.ndarray
    alpha: np.ndarray
    memoryless: bool = False  # A = C = 0: SGD-like, beta_a arbitrary (reported as 0, alpha_a = 0, eta_a = B)
    gamma: np.ndarray | None = None


def read_map(fit: RecurrenceFit) -> Eq1:
    """Eq. (1)'s coefficients of steps ``k = 0..T-2`` (the last step's split of B needs the step after it).

    What the query points determine is the impulse response; in the recurrence's terms ``B_k = eta_k + alpha_k``
    and ``P_k = eta_k beta_k = A_k B_(k-1) - C_k`` (step 1: ``P_1 = -C'_1``, the whole coefficient of ``g_0``),
    with no division. Then ``alpha_k = C_(k+1) / A_(k+1)``, ``eta_k = B_k - alpha_k``, ``beta_k = P_k / eta_k``.
    Where the momentum restarts (``P_k = 0``: ``m_k = u_k``, e.g. step 0, or Schedule-Free's first step with
    ``c = 1``) only the sum ``B_k`` is determined (any split gives the same trajectory and the same momentum);
    by convention ``alpha_k = alpha_(k+1)`` (0 at the last step), ``eta_k = B_k - alpha_k``.
    Values within ``SNAP`` of 0 (relative to max |B|) are rounding and reported as 0.
    ``P = 0`` at every step: memoryless (SGD, Adagrad): ``beta_a`` arbitrary, reported as 0."""
    A, B, C = fit.A, fit.B, fit.C
    T = len(B)
    K = T - 1
    scale_b = np.nanmax(np.abs(B)) or 1.0
    P = np.zeros(T)
    if T > 1:
        P[1] = -C[1]
        P[2:] = A[2:] * B[1:-1] - C[2:]
    restart = np.abs(P) <= ZERO * scale_b
    restart[0] = True
    if np.all(restart):
        return Eq1(np.zeros(K), B[:K].copy(), np.zeros(K), memoryless=True)
    alpha = np.zeros(K)
    with np.errstate(all="ignore"):
        for k in range(K - 1, -1, -1):
            if not restart[k]:
                # A_(k+1) = eta_(k+1) beta_(k+1) / eta_k is identified here (m_k carries g_(k-1)); A = 0 with C != 0
                # (a delayed gradient without momentum) has no Eq. (1) reading: alpha_k infinite (NaN)
                alpha[k] = C[k + 1] / A[k + 1] if abs(A[k + 1]) > ZERO else np.nan
            elif k + 1 < K:
                alpha[k] = alpha[k + 1]
        alpha = np.where(np.abs(alpha) <= SNAP * scale_b, 0.0, alpha)
        eta = B[:K] - alpha
        beta = np.where(restart[:K], 0.0, P[:K] / eta)
    beta[0] = np.nan
    return Eq1(beta, eta, alpha)


def deviation(a: np.ndarray, b: np.ndarray) -> float:
    """``max_k |a_k - b_k|_inf / max(|a|, |b|)``, NaN counted as infinitely far."""
    with np.errstate(all="ignore"):
        d = float(np.max(np.abs(a - b)) / scale_of(a, b))
    return d if np.isfinite(d) else float("inf")


def fit_average(q: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``gamma[k]`` from ``e[k+1] - e[k] = gamma[k] (q[k+1] - e[k])`` across coordinates (least squares)."""
    num = np.sum((e[1:] - e[:-1]) * (q[1:] - e[:-1]), axis=1)
    den = np.sum((q[1:] - e[:-1]) ** 2, axis=1)
    with np.errstate(all="ignore"):
        return np.where(den > 0, num / den, np.nan)


def recurrence_residual(fit: RecurrenceFit, q: np.ndarray, g: np.ndarray, e: np.ndarray | None = None,
                        gamma: np.ndarray | None = None) -> float:
    """The residual of the fitted recurrence (and averaging weights) on another probe, without refitting, each step
    relative to itself (:func:`step_residual`)."""
    T = g.shape[0]
    dq = np.diff(q, axis=0)
    worst = 0.0
    for k in range(len(dq)):
        X, idx = _columns(dq, g, k, fit.order)
        c = fit.coef[k, idx]
        worst = max(worst, step_residual(dq[k] - X @ c, dq[k], np.abs(X) @ np.abs(c), _qmax(q, k), T))
    if gamma is not None and e is not None:
        worst = max(worst, average_residual(gamma, q, e, T))
    return worst


def average_residual(gamma: np.ndarray, q: np.ndarray, e: np.ndarray, steps: int) -> float:
    """The averaging weights on a probe: ``e[k+1] - e[k] = gamma[k] (q[k+1] - e[k])``, each step relative to itself.
    A weight that was not identified (NaN: the query point sat on the evaluation point, as before a first move)
    counts as 0 (then e must not move either)."""
    worst = 0.0
    for k in range(min(len(gamma), len(e) - 1)):
        de, dqe = e[k + 1] - e[k], q[k + 1] - e[k]
        r = de - (gamma[k] if np.isfinite(gamma[k]) else 0.0) * dqe
        qmax = max(_qmax(q, k), _qmax(e, k))
        worst = max(worst, step_residual(r, de, np.abs(gamma[k] * dqe), qmax, steps))
    return worst


def held_out(fit: RecurrenceFit, q: np.ndarray, g: np.ndarray, e=None, gamma=None) -> tuple[float, float]:
    """The fitted coefficients on a probe they were not fitted on: (residual, residual of the negative control:
    the middle step's B 1 % off)."""
    bad = RecurrenceFit(fit.order, fit.coef.copy(), fit.residual, fit.per_step)
    bad.coef[len(bad.coef) // 2, fit.order - 1] *= 1.01
    return recurrence_residual(fit, q, g, e, gamma), recurrence_residual(bad, q, g, e, gamma)
