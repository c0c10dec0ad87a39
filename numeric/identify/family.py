"""The family of a linear class outside Eq. (1), from its gradient response H (issue 19 item 5; docs/identify.md).

Where a class responds linearly with coefficients shared by the coordinates (``response.py``: ``q_(t+1) - q_t =
-sum_(s<=t) H[t, s] u_s``, fitted and confirmed on a held-out probe) but H is not of Eq. (1)'s form, this says
what it is instead, numerically -- evidence, not proof (the exact counterpart is ``verify family`` on a
declaration, ``equivalences/families/``):

* **order**: whatever carries r numbers from one step to the next passes everything older than step j to the
  steps ``k >= j`` through them, so every block ``H[k >= j, s < j]`` has rank ``<= r`` (the semiseparable rank;
  ``equivalences/families/order.py`` for the exact version).  The numerical rank: the block's rows scaled by their
  uncertainty (``Response.sigma``), singular values above ``SIGNIFICANT`` times what rounding of that size can
  reach (``sqrt(rows * columns)``).  The largest rank over the blocks is the order r, and r is also enough: a
  lower triangular H whose blocks have rank <= r has a (time-varying) state-space realization of dimension r, a
  general linear gradient filter of order r.
* **k-momentum form** (``m^(i)_t = beta^(i) m^(i)_(t-1) + u_t``, ``w_(t+1) = w_t - sum_i eta^(i)_t m^(i)_t -
  alpha_t u_t``; decay rates constant, weights per step, as a bias correction makes them): then ``H[t, t-n] =
  sum_i eta^(i)_t (beta^(i))^n`` for ``n >= 1``, a sum of r exponentials in the lag with the same bases on every
  row.  The bases are the roots of the linear prediction shared by all rows (Prony's method: ``sum_i a_i
  H[t, t-n-i] = 0``, least squares over every row, rows weighted by their uncertainty), refined by Gauss-Newton on
  the bases with the weights solved in closed form (variable projection); then the weights row by row, ``alpha_t =
  H[t, t] - sum_i eta^(i)_t``.  Where the weights are constant to within the fit, they are refitted as constants
  (a constant-coefficient member).  At a step ``t < r`` the row has fewer lags than weights: only their
  combination is identified (the minimum-norm split is reported, said so).
* **replay**: the fitted member is run on the held-out probe from rest (no refit), each step's residual relative
  to itself (``fit.step_residual``); accepted within ``FIT_TOLERANCE`` (the replay's tolerance ``64 T eps`` times
  ``SLACK``: the bases are fitted values, not read off), and a **negative control** -- the member with its
  largest-weight decay rate 1 % off -- must miss the same probe beyond it, or nothing is reported as fitted.
  Complex bases (an oscillating response) are no real k-momentum form: the order stands, said so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import fit as F

SIGNIFICANT = 1e3
"""A singular value of the whitened block this many times the rounding's reach counts towards the rank."""
SLACK = 1e3
"""The fitted member's replay tolerance over the replay's 64 T eps: its decay rates are least-squares values."""
CONTROL = 0.01
"""The negative control moves the decay rate with the largest weight by this fraction."""
CONSTANT = 1e-9
"""Weights that vary over the steps by less than this (relative) are refitted as constants."""
REAL = 1e-9
"""A base whose imaginary part is below this (relative to its size) is real."""


@dataclass
class Order:
    """The numerical semiseparable rank of H: ``rank`` at block ``block`` (rows k >= block, columns s < block),
    with the singular values of that block relative to its threshold (the kept ones are > 1, the next is not)."""

    rank: int
    block: int
    singular: list

    def text(self) -> str:
        kept = self.singular[:self.rank]
        nxt = self.singular[self.rank] if len(self.singular) > self.rank else None
        return (f"order {self.rank}: the block H[k >= {self.block}, s < {self.block}] has {self.rank} singular values "
                f"above rounding (the smallest {min(kept):.1e} times its threshold"
                + (f", the next {nxt:.1e}" if nxt is not None else "") + "): the past before a step reaches the later "
                f"steps through {self.rank} numbers")


@dataclass
class FamilyFit:
    """What a linear class outside Eq. (1) is, numerically (module doc)."""

    order: Order
    family: str  # momentum-k | filter-k
    title: str
    beta: list = field(default_factory=list)  # the decay rates (poles), one per buffer
    eta: np.ndarray | None = None  # (T, k): the weights per step
    alpha: np.ndarray | None = None  # (T,)
    constant: bool = False  # weights and alpha constant over the steps
    residual: float | None = None  # the fitted member replayed on the held-out probe
    tolerance: float | None = None
    control: float | None = None  # the perturbed member on the same probe
    control_what: str = ""
    note: str = ""
    first_step: list | None = None  # beta^(i)_1 where the first gradient enters with its own scale

    @property
    def identified_from(self) -> int:
        """The first step whose weights are identified one by one (its row has as many lags as weights)."""
        return min(len(self.beta) + (self.first_step is not None), len(self.alpha) - 1)

    @property
    def fitted(self) -> bool:
        return self.family.startswith("momentum")

    def coefficients(self) -> dict:
        """Constant weights as numbers, per-step ones as lists (step 0 first)."""
        if not self.fitted:
            return {}
        out = {}
        for i, b in enumerate(self.beta, 1):
            out[f"beta^({i})"] = float(b)
            if self.first_step is not None:
                out[f"beta^({i})_1"] = self.first_step[i - 1]
            w = self.eta[:, i - 1]
            out[f"eta^({i})"] = float(w[-1]) if self.constant else [float(x) for x in w]
        out["alpha"] = float(self.alpha[-1]) if self.constant else [float(x) for x in self.alpha]
        return out

    def text(self) -> str:
        """One line: the family, its coefficients, the residual and the control."""
        if not self.fitted:
            return f"{self.title} (by the numerical rank of H; {self.note})"
        parts = []
        T, a0 = len(self.alpha), self.identified_from

        def seq(w):
            return f"{w[-1]:.6g}" if self.constant else f"{w[a0]:.4g} at t = {a0} .. {w[-1]:.4g} at t = {T - 1}"

        for i, b in enumerate(self.beta, 1):
            parts.append(f"beta^({i}) = {b:.6g}, eta^({i}) = {seq(self.eta[:, i - 1])}")
        a = seq(self.alpha)
        kind = "constant coefficients" if self.constant else "constant decay rates, weights per step"
        return (f"{self.title} fitted ({kind}): " + "; ".join(parts) + f"; alpha = {a}; the fitted member replays a "
                f"held-out probe to {self.residual:.1e} (tolerance {self.tolerance:.1e}), {self.control_what} misses "
                f"it by {self.control:.1e}" + (f"; {self.note}" if self.note else ""))

    def to_json(self) -> dict:
        return {"family": self.family, "title": self.title, "order": self.order.rank,
                "order_block": self.order.block, "singular_values": [float(s) for s in self.order.singular[:8]],
                "coefficients": self.coefficients(), "constant": self.constant,
                "residual": self.residual, "tolerance": self.tolerance, "control": self.control,
                "control_perturbation": self.control_what or None, "note": self.note or None}


def order(H: np.ndarray, sigma: np.ndarray) -> Order:
    """The largest numerical rank of the blocks ``H[k >= j, s < j]`` (module doc)."""
    T = H.shape[0]
    tiny = np.finfo(float).tiny
    best = Order(0, 1, [])
    for j in range(1, T):
        B = H[j:, :j] / np.maximum(sigma[j:], tiny)[:, None]
        s = np.linalg.svd(B, compute_uv=False) / (SIGNIFICANT * np.sqrt(B.size))
        r = int(np.sum(s > 1))
        if r > best.rank:
            best = Order(r, j, [float(x) for x in s])
    return best


def _lags(H: np.ndarray, sigma: np.ndarray, first: int = 0):
    """Per row t: (weight 1/sigma_t, the lags n = 1..t - first, H[t, t-n]): the columns s >= first."""
    T = H.shape[0]
    tiny = np.finfo(float).tiny
    return [(1.0 / max(sigma[t], tiny), np.arange(1, t - first + 1), H[t, t - np.arange(1, t - first + 1)])
            for t in range(1 + first, T)]


def _prony(H, sigma, k: int, first: int = 0) -> np.ndarray:
    """The k bases shared by the rows: roots of the linear prediction fitted over every row (least squares)."""
    rows, rhs = [], []
    for w, n, x in _lags(H, sigma, first):
        for s in range(len(x) - k):
            rows.append(w * x[s:s + k])
            rhs.append(-w * x[s + k])
    if len(rows) < k:
        return np.array([])
    a = F.solve(np.array(rows), np.array(rhs))
    return np.roots(np.concatenate([[1.0], a[::-1]]))


def _refine(H, sigma, beta: np.ndarray, first: int = 0, iterations: int = 20) -> np.ndarray:
    """Gauss-Newton on the (real) bases, the weights eliminated per row (variable projection)."""
    if np.any(np.abs(beta.imag) > REAL * np.maximum(np.abs(beta), 1e-300)):
        return beta
    b = beta.real.copy()
    lags = [x for x in _lags(H, sigma, first) if len(x[1]) >= len(b)]

    def residual(x):
        out = []
        for w, n, y in lags:
            X = x[None, :] ** n[:, None]
            c = np.linalg.lstsq(X, y, rcond=None)[0]
            out.append(w * (X @ c - y))
        return np.concatenate(out) if out else np.zeros(0)

    r = residual(b)
    for _ in range(iterations if r.size else 0):
        J = np.empty((len(r), len(b)))
        for i in range(len(b)):
            h = 1e-7 * max(abs(b[i]), 1e-3)
            x = b.copy()
            x[i] += h
            J[:, i] = (residual(x) - r) / h
        cand = b + np.linalg.lstsq(J, -r, rcond=None)[0]
        rc = residual(cand)
        if not np.linalg.norm(rc) < np.linalg.norm(r):
            break
        b, r = cand, rc
    return b.astype(complex)


def _solve_near(X, y, near):
    """The least-squares solution of ``X c = y`` nearest ``near`` (where the row has fewer lags than weights)."""
    return near + np.linalg.lstsq(X, y - X @ near, rcond=None)[0]


def member(H, sigma, beta: np.ndarray, constant: bool, first: int):
    """The k-momentum member with these bases: ``(beta per step (T, k), eta (T, k), alpha (T,))``.  ``first = 1``:
    the first gradient enters each buffer with a scale of its own (``beta^(i)_1 = beta^(i) c_i``: a buffer started
    from the first gradient differently, as Adan's gradient difference, 0 at its first step); weights per step, or
    constant (``constant``); at a step whose row has fewer lags than weights, the solution nearest the next step's."""
    T, k = H.shape[0], len(beta)
    steps = np.tile(beta.astype(complex), (T, 1))
    lags = _lags(H, sigma, first)
    eta = np.zeros((T, k), dtype=complex)

    def design(t, n, c=None):
        X = beta[None, :] ** n[:, None]
        if c is not None:
            X = np.vstack([X, (beta ** t * c)[None, :]])
        return X

    if constant:
        X = np.concatenate([w * design(0, n) for w, n, _ in lags])
        y = np.concatenate([w * x for w, _, x in lags]).astype(complex)
        eta[:] = np.linalg.lstsq(X, y, rcond=None)[0]
    else:
        for t in range(T - 1, first, -1):
            w, n, x = lags[t - 1 - first]
            eta[t] = _solve_near(design(t, n), x.astype(complex), eta[t + 1] if t + 1 < T else np.zeros(k))
    c = None
    if first:
        rows = [t for t in range(2, T) if t - 1 >= k] or list(range(1, T))
        X = np.array([eta[t] * beta ** t for t in rows])
        c = np.linalg.lstsq(X, H[rows, 0].astype(complex), rcond=None)[0]
        steps[1] = beta * c
        if not constant:
            for t in range(1, min(k + 1, T)):
                n = np.arange(1, t)
                X = design(t, n, c)
                y = np.concatenate([H[t, t - n], [H[t, 0]]]).astype(complex)
                eta[t] = _solve_near(X, y, eta[t + 1] if t + 1 < T else eta[t])
    if not constant:
        eta[0] = eta[1] if T > 1 else 0
    alpha = np.diag(H) - eta.sum(axis=1)
    if constant:
        alpha[:] = np.mean(alpha.real)
    return steps, eta, alpha


def replay(beta, eta, alpha, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The member's moves from rest under inputs ``u`` (T, D), and the size of their terms (``beta``: (T, k), the
    decay rates per step)."""
    T, D = u.shape
    m = np.zeros((beta.shape[1], D), dtype=complex)
    moves, terms = np.zeros((T, D)), np.zeros((T, D))
    for t in range(T):
        m = beta[t][:, None] * m + u[t][None, :]
        parts = eta[t][:, None] * m
        moves[t] = -(parts.sum(axis=0) + alpha[t] * u[t]).real
        terms[t] = np.abs(parts).sum(axis=0) + np.abs(alpha[t] * u[t])
    return moves, terms


def replay_residual(beta, eta, alpha, q: np.ndarray, u: np.ndarray, steps: int) -> float:
    moves, terms = replay(beta, eta, alpha, u)
    dq = np.diff(q, axis=0)
    return max(F.step_residual(dq[t] - moves[t], dq[t], terms[t], float(np.max(np.abs(q[t:t + 2]))), steps)
               for t in range(u.shape[0]))


MODELS = ((True, 0), (False, 0), (True, 1), (False, 1))
"""(constant weights, first gradient special), tried in this order: the first that replays is reported."""


def identify_family(resp, q_held: np.ndarray, u_held: np.ndarray, steps: int) -> FamilyFit:
    """The order of ``resp`` (a :class:`~numeric.identify.response.Response` confirmed on a held-out probe) and,
    where it replays, the k-momentum form that holds the class (module doc)."""
    H, sigma = resp.H, resp.sigma
    o = order(H, sigma)
    k = o.rank
    filt = FamilyFit(o, f"filter-{k}", f"general linear gradient filter of order {k}")
    if k == 0:
        filt.note = "no memory below the diagonal"
        return filt
    tol = SLACK * F.tolerance(steps)
    best = None
    for constant, first in MODELS:
        beta = _refine(H, sigma, _prony(H, sigma, k, first), first)
        if len(beta) != k or not np.all(np.isfinite(beta)):
            continue
        got = member(H, sigma, beta, constant, first)
        res = replay_residual(*got, q_held, u_held, steps)
        if best is None or res < best[0]:
            best = (res, beta, got, constant, first)
        if res <= tol:
            break
    if best is None:
        filt.note = "no k-momentum form fitted (the linear prediction is underdetermined)"
        return filt
    res, beta, (bsteps, eta, alpha), constant, first = best
    if np.any(np.abs(beta.imag) > REAL * np.maximum(np.abs(beta), 1e-300)):
        filt.note = (f"its response is a sum of {k} exponentials with complex bases "
                     f"({', '.join(f'{b:.4g}' for b in beta)}; replayed to {res:.1e}): no k-momentum form with real "
                     "decay rates")
        return filt
    if not res <= tol:
        filt.note = (f"no {k}-momentum form with constant decay rates replays it (best residual {res:.1e}, tolerance "
                     f"{tol:.1e}): decay rates that move with the step, or a filter")
        return filt
    i = int(np.argmax(np.max(np.abs(eta), axis=0)))
    bad = bsteps.copy()
    bad[:, i] = bad[:, i] * (1 + CONTROL) if beta[i] != 0 else CONTROL
    ctrl = replay_residual(bad, eta, alpha, q_held, u_held, steps)
    what = f"the member with beta^({i + 1}) {CONTROL:.0%} off"
    if not ctrl > tol:
        filt.note = f"a {k}-momentum form replays it ({res:.1e}) but so does {what} ({ctrl:.1e}): not decided"
        return filt
    ix = np.argsort(-beta.real)
    eta, alpha = eta.real.copy(), alpha.real.copy()
    scale = float(np.max(np.abs(eta))) or 1.0
    for a in (eta, alpha):
        a[np.abs(a) <= F.SNAP * scale] = 0.0  # rounding, reported as exactly 0 (as fit.py does)
    notes = []
    if first:
        notes.append("the first gradient enters the buffers with its own scale (beta^(i)_1 = "
                     + ", ".join(f"{x:.6g}" for x in bsteps[1].real[ix]) + ")")
    if not constant and k > 1:
        notes.append(f"at steps t <= {k - 1 + first} a row has fewer lags than weights: only the combination those "
                     "steps see is identified (the split nearest the next step's is shown)")
    return FamilyFit(o, f"momentum-{k}", f"{k}-momentum form", [float(b) for b in beta.real[ix]],
                     eta[:, ix], alpha, constant, res, tol, ctrl, what, "; ".join(notes),
                     first_step=[float(x) for x in bsteps[1].real[ix]] if first else None)
