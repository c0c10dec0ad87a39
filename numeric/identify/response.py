"""The gradient response H of a linear optimizer, and Eq. (1)'s form on it (issue 18; docs/identify.md).

Where a class responds linearly to its inputs ``u`` (the gradients, or what a pinned preconditioner makes of them)
with coefficients shared by the coordinates, its query points' increments are

    q_(t+1) - q_t = -sum_(s <= t) H[t, s] u_s,

and the class is a member of Eq. (1) exactly when there are scalars with ``H[t, s] = eta_t prod_(j=s+1..t) beta_j``
for ``s < t`` (the diagonal ``H[t, t] = eta_t + alpha_t`` is free). Equivalently, and for every zero pattern:
for every ``j``, column ``j-1`` is ``beta_j`` times column ``j`` on the rows ``t >= j+1`` (one scalar per j), and
where that forces ``beta_j = 0`` while column ``j`` is non-zero below, ``H[j, j-1] = eta_j beta_j`` vanishes.
(Necessity: ``H[t, j-1] = beta_j H[t, j]`` for ``t > j``. Sufficiency: ``H[t, s] = H[t, t-1] prod_(i=s+1..t-1)
beta_i`` follows row by row; ``eta_t = H[t, t-1] / beta_t`` where ``beta_t`` is fixed and non-zero, ``beta_t = 1``,
``eta_t = H[t, t-1]`` where column t is zero below, any ``eta_t`` where ``beta_t = 0``.) The start column (the
response to ``w_0``) is zero for a class whose trajectory is translation invariant, and the response to nothing
(zero gradients from ``w_0 = 0``) is checked apart (witnesses.py: a member does not move there).

This replaces the order-2 recurrence of fit.py as the premise of a *not-in-family* verdict: the recurrence needs
``eta_t != 0`` (it divides by it), and a member with ``eta_t = 0`` at a step (no move, or a move from the current
gradient only: Lookahead around SGD between its syncs, RAdam before its rectification starts) needs no
recurrence of any order. The order-2 fit stays the fast path to *in-family*.

Numbers: H is fitted by least squares from probes in float64; an entry's uncertainty is its row's ``tol * max |H[t,
:]|`` plus the rounding of the points (``16 eps |q| / |u|``). Witnesses of two kinds:

* **rank**: a 2 x 2 minor ``H[t, j-1] H[t*, j] - H[t*, j-1] H[t, j]`` of columns ``j-1, j`` on rows ``t, t* >= j+1``
  that exceeds ``SIGNIFICANT`` times its own uncertainty: no member, whatever its coefficients;
* **zero pattern**: column ``j`` vanishes below row j while column ``j-1`` does not (a member would need ``|beta_j|``
  above a bound), or column ``j-1`` vanishes below while column ``j`` and ``H[j, j-1]`` do not (``beta_j = 0``
  to within the resolution, so ``|eta_j|`` above a bound): a verdict only when the bound is at least ``BOUND``
  (relative to the largest entry), and the bound is said.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import fit as F

SIGNIFICANT = 1e3
"""A minor (or an entry) this many times its own uncertainty is not rounding."""
BOUND = 1e8
"""A zero-pattern witness is a verdict only when the member it excludes would need a coefficient this large (beta_j,
or eta_j relative to the largest entry of H)."""


@dataclass
class Response:
    H: np.ndarray  # (T, T) lower triangular: H[t, s] = -d(q_(t+1) - q_t)/d u_s
    sigma: np.ndarray  # (T,) the uncertainty of the entries of row t
    residual: float  # the fit's residual on its own probes (each step relative to itself, fit.step_residual)


@dataclass
class Witness:
    """Where H is not of Eq. (1)'s form: ``residual = H[row, column] - beta_j H[row, column + 1]`` (relative to the
    row's largest entry) with ``beta_j`` from row ``pivot``; ``kind`` rank or zero pattern; ``bound`` the coefficient a
    member would need (zero-pattern kinds), None for a rank witness (no member at all)."""

    row: int
    column: int
    residual: float
    kind: str  # rank | unbounded-beta | unbounded-eta
    pivot: int | None = None
    bound: float | None = None

    def text(self) -> str:
        j, t = self.column + 1, self.row
        if self.kind == "rank":
            return (f"column {j - 1} of the gradient response H is not a multiple of column {j} on the rows below "
                    f"step {j}: beta_{j} = H[{self.pivot},{j - 1}]/H[{self.pivot},{j}] from row {self.pivot} leaves "
                    f"H[{t},{j - 1}] off by {self.residual:.1e} of row {t}'s largest entry (a 2 x 2 minor far above "
                    "its rounding)")
        if self.kind == "unbounded-beta":
            return (f"column {j} of the gradient response H vanishes below step {j} but column {j - 1} does not "
                    f"(H[{t},{j - 1}] = {self.residual:.1e} of row {t}'s largest entry): H[t,{j - 1}] = beta_{j} "
                    f"H[t,{j}] for t > {j} would need |beta_{j}| > {self.bound:.1e}")
        return (f"column {j - 1} of the gradient response H vanishes below step {j} while column {j} does not, so "
                f"beta_{j} = 0 to within the rounding, but H[{j},{j - 1}] = eta_{j} beta_{j} is "
                f"{self.residual:.1e} of row {j}'s largest entry: a member would need |eta_{j}| > {self.bound:.1e} "
                "times the largest entry of H")

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "residual": self.residual, "kind": self.kind,
                "bound": self.bound}


def fit_response(gs: list, qs: list, steps: int | None = None) -> Response:
    """H by least squares, row by row, over every coordinate of every probe (``gs[p]``: (T, D) inputs ``u``,
    ``qs[p]``: (T + 1, D) query points); the columns scaled to unit norm first (fit.solve)."""
    T = gs[0].shape[0]
    steps = steps or T
    tol = F.tolerance(steps)
    umax = max(float(np.max(np.abs(g))) for g in gs) or 1.0
    dq = [np.diff(q, axis=0) for q in qs]
    H = np.zeros((T, T))
    sigma = np.zeros(T)
    res = 0.0
    for t in range(T):
        X = np.concatenate([g[:t + 1].T for g in gs], axis=0)  # (P D, t + 1)
        y = -np.concatenate([d[t] for d in dq])
        c = F.solve(X, y)
        H[t, :t + 1] = c
        qmax = max(float(np.max(np.abs(q[t:t + 2]))) for q in qs)
        sigma[t] = tol * float(np.max(np.abs(c))) + 16 * F.EPS * qmax / umax
        D = gs[0].shape[1]
        for p in range(len(gs)):
            rows = slice(p * D, (p + 1) * D)
            r = y[rows] - X[rows] @ c
            res = max(res, F.step_residual(r, y[rows], np.abs(X[rows]) @ np.abs(c), qmax, steps))
    return Response(H, sigma, res)


def response_residual(resp: Response, q: np.ndarray, g: np.ndarray, steps: int | None = None) -> float:
    """H on a probe it was not fitted on (no refit), each step relative to itself."""
    T = g.shape[0]
    dq = np.diff(q, axis=0)
    worst = 0.0
    for t in range(T):
        c = resp.H[t, :t + 1]
        X = g[:t + 1].T
        worst = max(worst, F.step_residual(-dq[t] - X @ c, dq[t], np.abs(X) @ np.abs(c),
                                           float(np.max(np.abs(q[t:t + 2]))), steps or T))
    return worst


@dataclass
class Reading:
    """Eq. (1)'s coefficients read off H for every step (the last included, by convention), and per step how:
    ``read`` (beta_j fixed by column j), ``restart`` (beta_j = 0: m_j = u_j, only eta_j + alpha_j determined),
    ``unread`` (column j is zero below, m_j is never read again, but H[j, j-1] is not: beta_j = 1, eta_j = H[j, j-1]
    by convention)."""

    beta: np.ndarray
    eta: np.ndarray
    alpha: np.ndarray
    how: list

    def eq1(self, gamma=None) -> F.Eq1:
        """As fit.Eq1 (steps 0..T-2: the last step's split needs the step after it; beta_0 not identifiable)."""
        K = len(self.eta) - 1
        beta = self.beta[:K].copy()
        beta[0] = np.nan
        memoryless = all(h == "restart" for h in self.how)  # nothing below the diagonal: beta_a arbitrary
        if memoryless:
            return F.Eq1(np.zeros(K), self.eta[:K] + self.alpha[:K], np.zeros(K), memoryless=True, gamma=gamma)
        return F.Eq1(beta, self.eta[:K].copy(), self.alpha[:K].copy(), gamma=gamma)


def _beta(H, sigma, j):
    """beta_j from column j-1 against column j on the rows below j: (value or None when column j vanishes there,
    its resolution)."""
    a, b, s = H[j + 1:, j - 1], H[j + 1:, j], sigma[j + 1:]
    live = np.abs(b) > s
    if not np.any(live):
        return None, math.inf
    w = 1.0 / s[live]
    beta = float(np.sum(w * a[live] * w * b[live]) / np.sum((w * b[live]) ** 2))
    k = int(np.argmax(np.abs(b) / np.where(s > 0, s, np.finfo(float).tiny)))
    return beta, float(s[k] * (1 + abs(beta)) / abs(b[k]))


def read(resp: Response) -> Reading:
    """Eq. (1)'s coefficients from H, every step; where the split of the diagonal is not determined (a restart, or
    the last step) ``alpha_j = alpha_(j+1)`` (0 at the last), ``eta_j = H[j, j] - alpha_j``, as fit.read_map does."""
    H, sigma = resp.H, resp.sigma
    T = H.shape[0]
    beta, eta, alpha = np.zeros(T), np.zeros(T), np.zeros(T)
    how = ["restart"] * T
    B = np.diag(H).copy()
    scale = float(np.max(np.abs(H))) or 1.0
    for j in range(T - 1, -1, -1):
        d = H[j, j - 1] if j > 0 else 0.0
        b, res_b = _beta(H, sigma, j) if j > 0 else (0.0, math.inf)
        if j > 0 and b is not None and abs(b) > res_b:
            how[j], beta[j] = "read", b
            eta[j] = d / b
        elif j > 0 and b is None and abs(d) > sigma[j]:
            how[j], beta[j], eta[j] = "unread", 1.0, d
        else:
            alpha[j] = alpha[j + 1] if j + 1 < T else 0.0
            eta[j] = B[j] - alpha[j]
            continue
        alpha[j] = B[j] - eta[j]
    for a in (eta, alpha):
        a[np.abs(a) <= F.SNAP * scale] = 0.0
    return Reading(beta, eta, alpha, how)


def replay_moves(reading: Reading, g: np.ndarray, bump: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The moves ``q_(t+1) - q_t`` Eq. (1) makes with these coefficients from ``m = 0`` under inputs ``g`` (T, D), and
    the size of their terms; ``bump``: that step's ``alpha`` moved by 1 % of ``eta + alpha`` (the control)."""
    T, D = g.shape
    alpha = reading.alpha.copy()
    if bump is not None:
        alpha[bump] += 0.01 * (reading.eta[bump] + reading.alpha[bump])
    m = np.zeros(D)
    moves, terms = np.zeros((T, D)), np.zeros((T, D))
    for t in range(T):
        m = (reading.beta[t] * m if t > 0 else 0.0) + g[t]
        moves[t] = -(reading.eta[t] * m + alpha[t] * g[t])
        terms[t] = np.abs(reading.eta[t] * m) + np.abs(alpha[t] * g[t])
    return moves, terms


def eq1_residual(reading: Reading, q: np.ndarray, g: np.ndarray, bump: int | None = None,
                 steps: int | None = None) -> float:
    """Eq. (1) with the read coefficients against a probe's moves, each step relative to itself."""
    T = g.shape[0]
    moves, terms = replay_moves(reading, g, bump)
    dq = np.diff(q, axis=0)
    return max(F.step_residual(dq[t] - moves[t], dq[t], terms[t], float(np.max(np.abs(q[t:t + 2]))), steps or T)
               for t in range(T))


def control_step(reading: Reading) -> int:
    """The step whose move is largest (eta + alpha): a 1 % change there is the signal the control must see."""
    return int(np.argmax(np.abs(reading.eta + reading.alpha)))


def witness(resp: Response) -> Witness | None:
    """The strongest evidence that H is not of Eq. (1)'s form (module doc), or None: a rank witness first (it holds
    for every member), then a zero pattern whose bound is at least BOUND."""
    H, sigma = resp.H, resp.sigma
    T = H.shape[0]
    scale = float(np.max(np.abs(H))) or 1.0
    rows = np.max(np.abs(H), axis=1)
    rows = np.where(rows > 0, rows, 1.0)
    tiny = np.finfo(float).tiny
    best, zero = None, None
    for j in range(1, T - 1):
        a, b, s = H[j + 1:, j - 1], H[j + 1:, j], sigma[j + 1:]
        s = np.where(s > 0, s, tiny)
        k = int(np.argmax(np.abs(b) / s))
        if abs(b[k]) > SIGNIFICANT * s[k]:
            minor = a * b[k] - a[k] * b
            unc = s * abs(b[k]) + np.abs(a) * s[k] + s[k] * np.abs(b) + abs(a[k]) * s + s * s[k]
            ratio = np.abs(minor) / unc
            i = int(np.argmax(ratio))
            if ratio[i] > SIGNIFICANT and (best is None or ratio[i] > best[0]):
                r = (a[i] - a[k] / b[k] * b[i]) / rows[j + 1 + i]
                best = (ratio[i], Witness(j + 1 + i, j - 1, float(r), "rank", pivot=j + 1 + k))
            if best is None and np.all(np.abs(a) <= s):  # beta_j = 0 to within the resolution
                beta_max = (abs(a[k]) + s[k]) / (abs(b[k]) - s[k])
                d = H[j, j - 1]
                if abs(d) > SIGNIFICANT * max(sigma[j], tiny):
                    bound = (abs(d) - sigma[j]) / beta_max / scale
                    if bound >= BOUND and (zero is None or bound > zero.bound):
                        zero = Witness(j, j - 1, float(d / rows[j]), "unbounded-eta", bound=float(bound))
        elif np.all(np.abs(b) <= s):  # column j vanishes below row j
            i = int(np.argmax(np.abs(a) / s))
            if abs(a[i]) > SIGNIFICANT * s[i]:
                bound = abs(a[i]) / (2 * s[i])
                if bound >= BOUND and (zero is None or bound > zero.bound):
                    zero = Witness(j + 1 + i, j - 1, float(a[i] / rows[j + 1 + i]), "unbounded-beta",
                                   bound=float(bound))
    return best[1] if best is not None else zero
