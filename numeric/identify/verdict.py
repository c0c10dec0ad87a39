"""Run the probes on one optimizer class and decide what it is (docs/identify.md).

Probes, in order (each a fresh optimizer; D coordinates, T steps, float64):

1. **base**: Gaussian gradients from ``w_0 = 0``; any exception -> *not-probed* with the reason.
2. **translation**: the same gradients from ``w_0 = delta``. Every member of Eq. (1) (plain, preconditioned,
   sign) is translation invariant in open loop, so a trajectory that is not the base one shifted by ``delta``
   is evidence against the whole family: the step reads the parameter (weight decay; reported with its
   coefficient, coupled through the gradient or decoupled).
3. **coupling**: from ``delta``, half of the coordinates get other gradients; every member moves each
   coordinate from its own gradients only, so a move of the other half is evidence against the family.
4. **plain fit** of the three-term recurrence on the base probe; accepted when its residual is at rounding,
   the same coefficients hold on a held-out probe within the tolerance, the control (the middle step's B 1 %
   off) does not, and Eq. (1)'s coefficients read off it are finite -> *in-family*.
5. otherwise **superposition and scaling**: linear -> the order of the response (order K > 2 fits: two
   momenta) -> *not-in-family*; nonlinear -> **sign** (every coordinate moves by the same amount), then
   **constant magnitude** (|g| the same everywhere: an Adam-type second moment is the same number on every
   coordinate, so the response is linear in the signs) -> *preconditioned*, then **below epsilon**
   (|g| ~ 1e-30: an epsilon-regularised preconditioner is the constant 1/eps) -> *preconditioned* with the
   linear part identified there, or order > 2 there -> *not-in-family*; else *not-identified* with what was tried.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import fit as F
from . import probe as P

TINY = 1e-30
"""Gradient scale of the below-epsilon probe: far below any epsilon a preconditioner adds (1e-8 .. 1e-16), so sqrt(v) / eps <= 1e-14."""
MAGNITUDE = 1e6
"""|g| of the constant-magnitude probe: eps / |g| <= 1e-12 for eps up to 1e-6, so u = g / (|g| + eps) is g/|g|
to 1e-12."""


FLOAT32_SIZE = 1e-5
"""A nonlinearity this small is float32 rounding, not a preconditioner: said so in the reason."""
EXPLAINED = 1e-6
"""An order-K recurrence whose residual is this far below order 2's names the order (a float32 step inside a
library can leave ~1e-11 where the order-2 misfit is 1e-3); the verdict rests on order 2 failing."""


@dataclass
class Identification:
    target: str
    settings: dict
    verdict: str  # in-family | preconditioned | sign | not-in-family | not-identified | not-probed
    reason: str
    eq: F.Eq1 | None = None
    residual: float | None = None
    tolerance: float | None = None
    control_rejected: bool | None = None
    matches: list = field(default_factory=list)
    probes: list = field(default_factory=list)  # what was tried: (name, figure)
    step_size: np.ndarray | None = None  # sign family: |q_(t+1) - q_t|
    seconds: float = 0.0
    rows: int = 1  # the probe parameter's rows (1: a vector)
    unmatched_note: str = ""  # methods matching did not reach (a census's time budget)
    map_sequences: dict = field(default_factory=dict)  # matched method -> its map's sequences (for --plot)
    regime: str = ""  # what u is for the coefficients: "g", "g/|g| (|g| constant)", "g (|g| ~ 1e-30)"
    probe_scale: float = 1.0  # |g| of the probes the coefficients come from (MAGNITUDE, TINY, or the retreat's)
    limit: str = ""  # where the verdict stops holding: larger gradients couple the coordinates (a clip)

    def coefficients(self) -> dict:
        def listed(a):
            return None if a is None else [None if not math.isfinite(float(x)) else float(x) for x in a]

        eq = self.eq
        return {"beta_a": listed(eq.beta) if eq else None, "eta_a": listed(eq.eta) if eq else None,
                "alpha_a": listed(eq.alpha) if eq else None,
                "gamma_avg": listed(eq.gamma) if eq is not None and eq.gamma is not None else None}

    def to_json(self) -> dict:
        reason = self.reason + (f"; {self.unmatched_note}" if self.unmatched_note else "")
        out = {"target": self.target, "settings": self.settings, "verdict": self.verdict, "reason": reason,
               "coefficients": self.coefficients(), "residual": _num(self.residual),
               "tolerance": _num(self.tolerance), "control_rejected": self.control_rejected,
               "matches": self.matches, "regime": self.regime or None, "limit": self.limit or None}
        return out

    def __repr__(self) -> str:
        """``<Identification torch.optim.SGD: in-family, matches heavy-ball, sgd-nesterov>``."""
        matches = ", ".join(m["method"] for m in self.matches)
        return f"<Identification {self.target}: {self.verdict}" + (f", matches {matches}" if matches else "") + ">"


def _num(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def jsonable(value):
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return str(value)


class _Run:
    """One identification: the probes share the driver, the sizes and the tolerance."""

    def __init__(self, driver: P.Driver, steps: int, dim: int, seed: int):
        self.d, self.T, self.D, self.seed = driver, steps, dim, seed
        self.tol = F.tolerance(steps)
        self.tried: list = []
        self.scale = 1.0  # |g| of the Gaussian probes: below 1 after a retreat from a threshold (a clip)

    def gauss(self, k: int):
        return P.gaussian(self.T, self.D, self.seed + k, self.scale)

    @property
    def magnitude(self) -> float:
        """|g| of the constant-magnitude probe: MAGNITUDE, or the retreat's scale (a clip fires above it)."""
        return MAGNITUDE if self.scale == 1.0 else self.scale

    def accept(self, q, g, q2, g2, e=None, e2=None, order=2):
        """Fit on (q, g), read Eq. (1), check the held-out (q2, g2): (eq, fit residual, held-out, control)."""
        f = F.fit_recurrence(q, g, order)
        if not f.residual <= self.tol:
            return None, f.residual, None, None
        eq = F.read_map(f)
        gamma = F.fit_average(q, e) if e is not None else None
        if gamma is not None:
            eq.gamma = gamma[:len(eq.eta)]
        dev, ctrl = F.held_out(f, q2, g2, e2, gamma)
        return eq, f.residual, dev, ctrl


def identify(cls, kwargs: dict, target: str, *, steps: int = 16, dim: int = 16, seed: int = 0,
             rows: int = 1) -> Identification:
    """Probe ``cls(params, **kwargs)`` and decide (module doc); ``rows > 1`` probes a ``rows x dim/rows`` matrix."""
    start = time.perf_counter()
    res = _identify(P.Driver(cls, dict(kwargs), rows), target, {k: jsonable(v) for k, v in kwargs.items()},
                    steps, dim, seed)
    res.rows = rows
    res.seconds = time.perf_counter() - start
    return res


def _identify(driver, target, settings, steps, dim, seed) -> Identification:
    r = _Run(driver, steps, dim, seed)
    out = Identification(target, settings, "not-identified", "", tolerance=r.tol, probes=r.tried)

    def done(verdict, reason, **kw):
        out.verdict, out.reason = verdict, (f"{out.limit}; " if out.limit else "") + reason
        for k, v in kw.items():
            setattr(out, k, v)
        return out

    T, D, tol = r.T, r.D, r.tol
    G1, G2 = r.gauss(0), r.gauss(1)
    try:
        base = driver.run(G1)
    except P.ProbeError as err:
        why = {"closure": "needs a closure", "hessian": "needs Hessian products (a gradient with its graph)", "cuda": "needs CUDA",
               "construction": "raises at construction"}.get(err.kind, "raises at its first step")
        return done("not-probed", f"{why}: {err}")
    if not np.all(np.isfinite(base.q)):
        return done("not-identified", "the base probe left the finite numbers")
    if np.max(np.abs(base.q)) == 0:
        return done("not-identified", "the parameter did not move under the base probe (all steps zero)")
    try:
        return _decide(r, out, done, base, G1, G2)
    except P.ProbeError as err:
        return done("not-identified", f"a probe raised: {err}")


RETREAT = (1e-2, 1e-4, 1e-6)
"""Gradient scales tried when the coordinates are coupled at |g| ~ 1: a coupling that stops below some size is a
threshold (a norm clip), and the class is judged on gradients below it."""


def _coupling(r: _Run, G1, delta):
    """(trajectory from ``delta`` under ``G1``, how far new gradients on the first half moved the second half)."""
    T, D, h, d = r.T, r.D, r.D // 2, r.d
    shifted = d.run(G1, delta)
    Gc = G1.copy()
    Gc[:, :h] = P.gaussian(T, h, r.seed + 3, r.scale)
    other = d.run(Gc, delta)
    return shifted, F.deviation(other.q[:, h:], shifted.q[:, h:])


def _decide(r: _Run, out, done, base, G1, G2):
    T, D, tol, d = r.T, r.D, r.tol, r.d
    h = D // 2
    # the start, of the gradients' size: after a retreat to |g| ~ 1e-6 a unit start would leave the moves at
    # 1e-9 of |q|, where the deviations (relative to |q|) could no longer see a coupling or a dependence
    delta = P.gaussian(1, D, r.seed + 2, r.scale)[0]
    shifted, dev_c = _coupling(r, G1, delta)
    r.tried.append(("coupling" if r.scale == 1.0 else f"coupling at |g| ~ {r.scale:g}", dev_c))
    if dev_c > tol and r.scale == 1.0:
        for s in RETREAT:
            r.scale = s
            _, dev_s = _coupling(r, r.gauss(0), s * delta)
            r.tried.append((f"coupling at |g| ~ {s:g}", dev_s))
            if dev_s <= tol:
                out.limit = (f"for gradients of size ~{s:g} and below: at |g| ~ 1 new gradients on coordinates "
                             f"0..{h - 1} moved coordinates {h}..{D - 1} by {dev_c:.1e} (a threshold such as a norm "
                             f"clip couples the coordinates there, outside Eq. (1)), at |g| ~ {s:g} they do not "
                             f"({dev_s:.1e})")
                G1, G2 = r.gauss(0), r.gauss(1)
                return _decide(r, out, done, d.run(G1), G1, G2)
        r.scale = 1.0
        dev_c = max(dev_c, dev_s)
    if dev_c > tol:
        sizes = "at every gradient size tried (|g| ~ 1 .. 1e-6)" if r.scale == 1.0 else ""
        return done("not-in-family",
                    f"coupled coordinates: new gradients on coordinates 0..{h - 1} moved coordinates {h}..{D - 1} "
                    f"by up to {dev_c:.1e} {sizes} (relative; tolerance {tol:.1e}); every member of Eq. (1), with "
                    "coordinate-wise preconditioners or sign, moves each coordinate from its own gradients only "
                    "(norms, trust ratios, orthogonalisation couple them)", residual=dev_c)
    dev_t = F.deviation(shifted.q, base.q + delta)
    r.tried.append(("translation", dev_t))
    if dev_t > tol:
        return done("not-in-family", _parameter_dependence(r, base, G1, delta, dev_t), residual=dev_t)

    b2 = d.run(G2)
    eq, res, dev, ctrl = r.accept(base.q, G1, b2.q, G2, base.e, b2.e)
    r.tried.append(("plain fit", res))
    if eq is not None:
        return _confirmed(r, out, done, eq, res, dev, ctrl, "in-family", "g",
                          "the query points follow the three-term recurrence with coefficients shared by every "
                          "coordinate, also on a held-out probe")
    # linear or not?
    s12 = d.run(G1 + G2)
    s3 = d.run(3.0 * G1)
    sup = max(F.deviation(s12.q, base.q + b2.q), F.deviation(s3.q, 3.0 * base.q))
    r.tried.append(("superposition+scaling", sup))
    if sup <= tol:
        return _order(r, done, base.q, G1, res, sup,
                      "the response is linear in the gradients (superposition and scaling hold to "
                      f"{sup:.1e})", "every member of Eq. (1) fits order 2")
    steps_ = np.abs(np.diff(base.q, axis=0))
    spread = np.max(np.max(steps_, axis=1) - np.min(steps_, axis=1)) / F.scale_of(base.q)
    r.tried.append(("equal step on every coordinate", spread))
    if spread <= tol and F.deviation(s3.q, base.q) <= tol:
        K = np.max(steps_, axis=1)
        ks = f"K_t = {K[0]:.10g} at every step" if np.allclose(K, K[0], rtol=1e-12, atol=0) else \
            "K_t = " + ", ".join(f"{x:.6g}" for x in K[:8]) + (", ..." if len(K) > 8 else "")
        head = ("nonlinear in the gradients, every coordinate moves by the same amount each step and scaling the "
                f"gradients changes nothing: a sign update w <- w - K_t sign(eta_a m_a + alpha_a g) with {ks}")
        from .sign import direction

        found = direction(d, steps=min(T, 10), seed=r.seed)
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
    # constant magnitude: an Adam-type second moment is pinned
    M = r.magnitude
    S1, S2 = P.signs(T, D, r.seed + 4, M), P.signs(T, D, r.seed + 5, M)
    c1, c2 = d.run(S1), d.run(S2)
    eq, res_c, dev, ctrl = r.accept(c1.q, S1 / M, c2.q, S2 / M, c1.e, c2.e)
    r.tried.append(("constant-magnitude fit", res_c))
    if eq is not None:
        c4 = d.run(4.0 * S1)
        inv = F.deviation(c4.q, c1.q)
        r.tried.append(("scale invariance", inv))
        how = "scale-invariant (|g| x 4 changes nothing)" if inv <= tol else \
            f"not scale-invariant (|g| x 4 moves the trajectory by {inv:.1e}: epsilon or a clip acts)"
        return _confirmed(r, out, done, eq, res_c, dev, ctrl, "preconditioned", "g/|g| (|g| constant)",
                          f"nonlinear in the gradients (superposition off by {sup:.1e}); with |g| = "
                          f"{M:g} on every coordinate the step is linear in the signs with shared "
                          "coefficients: an Adam-type preconditioner u = g/sqrt(v_hat), pinned by this probe "
                          f"(v_hat = g^2); coefficients are for u = g/|g|; {how}", probe_scale=M)
    # below epsilon: an eps-regularised preconditioner is constant
    t1, t2 = d.run(TINY * G1), d.run(TINY * G2)
    t12 = d.run(TINY * (G1 + G2))
    lin = F.deviation(t12.q, t1.q + t2.q)
    r.tried.append(("below-epsilon superposition", lin))
    if lin <= tol and np.max(np.abs(t1.q)) > 0:
        eq, res_t, dev, ctrl = r.accept(t1.q, TINY * G1, t2.q, TINY * G2, t1.e, t2.e)
        r.tried.append(("below-epsilon fit", res_t))
        if eq is not None:
            return _confirmed(r, out, done, eq, res_t, dev, ctrl, "preconditioned", "g (|g| ~ 1e-30)",
                              f"nonlinear in the gradients (superposition off by {sup:.1e}) and not pinned by "
                              f"constant-magnitude probes (residual {res_c:.1e}); for |g| ~ {TINY:g} the response "
                              "is linear (an epsilon-regularised preconditioner is constant there) and follows "
                              "Eq. (1): the momentum recursion is identified at that scale, coefficients in units "
                              "of g (they carry 1/epsilon); the preconditioner at ordinary magnitudes is not", probe_scale=TINY)
        return _order(r, done, t1.q, TINY * G1, res_t, lin,
                      f"for |g| ~ {TINY:g} the response is linear (superposition to {lin:.1e}: an epsilon-"
                      "regularised preconditioner is constant there)",
                      "every member of Eq. (1) whose preconditioner is constant for small gradients fits order 2 "
                      "there", fallback=f"nonlinear at ordinary magnitudes (superposition off by {sup:.1e}), "
                      f"constant-magnitude fit residual {res_c:.1e}")
    return done("not-identified",
                f"nonlinear in the gradients (superposition/scaling off by {sup:.1e}), so not plain Eq. (1); tried: "
                f"equal steps on every coordinate (sign: spread {spread:.1e}), constant |g| (residual {res_c:.1e}), "
                f"|g| ~ {TINY:g} (superposition off by {lin:.1e}): the preconditioner is not pinned by these probes"
                + (f"; a misfit of float32 size ({sup:.1e}): the class may store or compute in float32 (a setting "
                   "such as storage_dtype=float64 may help)" if sup < FLOAT32_SIZE else ""),
                residual=res)


def _confirmed(r, out, done, eq, res, dev, ctrl, verdict, regime, why, probe_scale=None):
    out.probe_scale = r.scale if probe_scale is None else probe_scale
    r.tried.append(("held-out probe", dev))
    r.tried.append(("control", ctrl))
    rejected = bool(ctrl > r.tol)
    if dev > r.tol:
        return done("not-identified", f"the fit holds on its probe (residual {res:.1e}) but Eq. (1) with the "
                    f"identified coefficients misses a held-out probe by {dev:.1e}", residual=dev,
                    control_rejected=rejected, eq=eq, regime=regime)
    if not rejected:
        return done("not-identified", f"the fit holds (residual {res:.1e}) but the control (one eta 1 % off) is "
                    f"not rejected ({ctrl:.1e}): the probe's signal is at rounding level", residual=max(res, dev),
                    control_rejected=False, eq=eq, regime=regime)
    bad = [k for k in range(len(eq.eta)) if not (np.isfinite(eq.eta[k]) and np.isfinite(eq.alpha[k])
                                                 and (k == 0 or np.isfinite(eq.beta[k])))]
    if bad:
        return done("not-identified", f"the recurrence fits (residual {res:.1e}, held-out {dev:.1e}) but Eq. (1)'s "
                    f"coefficients are not finite at step {bad[0]} (A_t = 0 with C_t != 0, a delayed gradient "
                    "without momentum, or eta_t = 0): the recurrence is not read as Eq. (1) there",
                    residual=max(res, dev), control_rejected=rejected, eq=eq, regime=regime)
    extra = "; memoryless (no momentum): beta_a arbitrary (reported 0, alpha_a = 0)" if eq.memoryless else ""
    avg = "; evaluation points: a weight average of the query points (gamma_avg)" if eq.gamma is not None else ""
    return done(verdict, why + extra + avg, residual=max(res, dev), control_rejected=True, eq=eq, regime=regime)


def _order(r, done, q, g, res2, lin, premise, family, fallback=None):
    for K in range(3, 6):
        f = F.fit_recurrence(q, g, K)
        r.tried.append((f"order {K} fit", f.residual))
        if f.residual <= max(r.tol, EXPLAINED * res2):  # naming the order; the evidence is order 2 failing
            return done("not-in-family", f"order {K} > 2: {premise}, but its query points need a {K}-term "
                        f"recurrence (several momenta); order 2 leaves a residual {res2:.1e} (tolerance "
                        f"{r.tol:.1e}) where {family}", residual=res2)
    if fallback is not None:
        return done("not-identified", f"{fallback}; {premise} but no recurrence of order <= 5 with shared "
                    f"coefficients fits (order 2 residual {res2:.1e})", residual=res2)
    return done("not-in-family", f"{premise}, but no recurrence of order <= 5 with coefficients shared by the "
                f"coordinates fits; order 2 leaves {res2:.1e} (tolerance {r.tol:.1e}) where {family}", residual=res2)


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
