"""Which registered methods produce the identified coefficients, at which settings, confirmed by a replay.

For every registered method whose transforms fit the verdict (none for *in-family*; its own diagonal
preconditioner for *preconditioned*, whose parameters the probe pins and therefore cannot identify), the shared
inverse of a map (:func:`equivalences.inverse.invert_sequences`, numeric-sequence mode) solves the method's
map = the identified sequences for its constants and schedule values. The identified values enter as exact
decimals: the shortest within 2e-14 of each value (the fit is good to a few 1e-15, so this changes nothing that
matters and keeps rounding noise such as ``tau = -4e-16`` out of the exact domain checks), with the inverse's
float tolerance 1e-9.
A solution counts as a match only when the declared method, run in its own variables with those values, replays
the class on a held-out probe within the replay tolerance.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from . import fit as F
from . import probe as P
from .verdict import MAGNITUDE

MATCH_TOLERANCE = 1e-9


@functools.lru_cache(maxsize=None)
def _derived(key: str):
    from equivalences.derive import derive
    from equivalences.registry import get
    from equivalences.system import StepSystem

    method = get(key)
    system = StepSystem(method)
    return method, system, derive(method, system)


SNAP_RELATIVE = 2e-14
"""How far (relative) the shortest decimal may be from an identified value: the fit is good to a few 1e-15."""


def _decimal(x: float) -> Fraction:
    """The shortest decimal within ``SNAP_RELATIVE`` of ``x`` (``0.0009000000000000001 -> 9/10000``), exact: so the
    rounding noise of the fit does not reach the inverse's exact domain checks (``tau = -1e-15 < 0``)."""
    x = float(x) if np.isfinite(x) else 0.0
    for digits in range(1, 17):
        text = format(x, f".{digits}g")
        if abs(float(text) - x) <= SNAP_RELATIVE * abs(x):
            return Fraction(text)
    return Fraction(x)


def _target(eq: F.Eq1, method, mp, preconditioned: bool, first: int = 0, step_size=None):
    """The identified sequences as the inverse's numeric target, from step ``first`` on."""
    from equivalences.inverse import Target

    t0, K = method.t0, len(eq.eta)
    seq = lambda a, shift=0: {t0 + k + shift: _decimal(a[k]) for k in range(first, len(a))}  # noqa: E731
    beta = eq.beta.copy()
    # beta at t0 multiplies the zero start: not identifiable, and the inverse compares beta from t0 + 1 on; a
    # neutral continuation keeps a schedule solved from it (e.g. beta1(t0)) from showing a spurious value
    beta[0] = beta[1] if len(beta) > 1 and np.isfinite(beta[1]) else 0.0
    gamma = seq(eq.gamma, 1) if eq.gamma is not None else None  # gamma[k] forms e after step k
    if step_size is not None:  # sign: K_t must match, (eta_a, alpha_a) up to a positive factor
        return Target.sequences(seq(beta), seq(eq.eta), seq(eq.alpha), t0=t0, K=seq(step_size[:len(eq.eta)]),
                                post=mp.post)
    return Target.sequences(seq(beta), seq(eq.eta), seq(eq.alpha), t0=t0, gamma_avg=gamma,
                            post=mp.post if preconditioned else None, pre=method.pre if preconditioned else None)


def _forget_targets():
    """The inverse caches a target's shifted values by ``id``; a new target may reuse a collected one's id."""
    from equivalences import inverse

    cache = getattr(getattr(inverse, "_shifted", None), "cache", None)
    if isinstance(cache, dict):
        cache.clear()


def _fits_structure(method, mp, verdict: str) -> bool:
    transforms = [tr for tr in (method.pre, mp.post) if tr is not None]
    if verdict == "in-family":
        return not transforms
    if verdict == "preconditioned":
        return bool(transforms) and all(tr.kind != "sign" for tr in transforms)
    if verdict == "sign":
        return mp.post is not None and mp.post.kind == "sign" and method.pre is None
    return False


def _schedule_expr(name: str, values: dict):
    """A matched schedule ``{step: value}`` as a sympy expression of ``t``; steps the sequences do not determine
    (the trajectory does not depend on them there) take the nearest determined value."""
    from numeric.libraries.driver import sequence

    known = sorted((int(k), float(v)) for k, v in values.items() if v is not None)

    def table(n):
        out = []
        for s in range(n + 1):
            out.append(min(known, key=lambda kv: abs(kv[0] - s))[1] if known else 0.0)
        return out

    return sequence(f"{name}_identified", table)


def method_config(method, constants: dict, schedules: dict):
    """A numeric configuration of ``method`` at matched values (constants, and schedules as step tables)."""
    from numeric.compile import Config

    overrides = {}
    for name, value in constants.items():
        sym = method.hyperparameter(name)
        if sym is not None and value is not None:
            overrides[sym] = float(value)
    for name, values in schedules.items():
        f = method.hyperparameter(name)
        if f is not None and values:
            overrides[f] = _schedule_expr(name, values)
    return Config.from_method(method, overrides)


def map_sequences(method, mp, cfg, steps: int) -> dict:
    """The method's derived map at this configuration: ``K eta_a``, ``K alpha_a``, ``beta_a`` (and ``gamma_avg``)
    for steps ``k = 0..steps-1`` (for the plot beside the identified ones)."""
    from numeric.compile import tabulate

    ts = np.arange(method.t0, method.t0 + steps)
    out = {"beta_a": tabulate(mp.beta_a, cfg, ts)[:, 0], "eta_a": tabulate(mp.K * mp.eta_a, cfg, ts)[:, 0],
           "alpha_a": tabulate(mp.K * mp.alpha_a, cfg, ts)[:, 0]}
    if mp.gamma_avg is not None:
        out["gamma_avg"] = tabulate(mp.gamma_avg, cfg, ts + 1)[:, 0]
    return out


def replay_method(method, system, constants: dict, schedules: dict, driver: P.Driver, G: np.ndarray) -> float:
    """The declared method in its own variables with these values, fed the gradients ``G`` (open loop) from 0,
    against the class on the same gradients: max relative deviation of query (and evaluation) points."""
    import torch

    from numeric.forms import Coefficients, MethodForm

    cfg = method_config(method, constants, schedules)
    T, D = G.shape
    ts = np.arange(method.t0, method.t0 + T)
    coeffs = Coefficients()
    form = MethodForm(method, cfg, ts, coeffs, system)
    C = coeffs.stack(torch.float64, "cpu")
    truth = driver.run(G)
    s = form.start(torch.zeros(1, D, dtype=torch.float64))
    q = np.empty((T + 1, D))
    e = np.empty((T + 1, D)) if truth.e is not None else None
    grads = torch.as_tensor(G, dtype=torch.float64)
    for k in range(T + 1):
        ck = C[min(k, T - 1)]
        q[k] = form.query(ck, s)[0].numpy()
        if e is not None:
            ev = form.evaluate(ck, s)
            e[k] = (ev if ev is not None else form.query(ck, s))[0].numpy()
        if k < T:
            s = form.step(ck, s, grads[k][None])
    dev = F.deviation(q, truth.q)
    if e is not None:
        dev = max(dev, F.deviation(e, truth.e))
    return dev


def describe_schedule(values: dict):
    """A matched schedule ``{step: value}`` for people: one number when constant, ``"1/(t - 1) for t = 2..15"`` when
    it is ``a/(t + b)`` with small integers, ``"0.0001/(1 - 0.9^t)"`` when it is ``a/(1 - b^t)`` (each checked at
    every step to 1e-9), else the table."""
    pts = sorted((int(k), float(v)) for k, v in values.items() if v is not None)
    if not pts:
        return None
    vals = [v for _, v in pts]
    close = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))  # noqa: E731
    if all(close(v, vals[0]) for v in vals):
        return _value(vals[0])
    span = f"t = {pts[0][0]}..{pts[-1][0]}"
    for b in range(-3, 4):
        for a_num in range(1, 10):
            for a_den in (1, 2, 4, 5, 10):
                if all((k + b) != 0 and close(v, a_num / a_den / (k + b)) for k, v in pts):
                    a = f"{a_num}" if a_den == 1 else f"{a_num}/{a_den}"
                    den = "t" if b == 0 else f"t {'+' if b > 0 else '-'} {abs(b)}"
                    return f"{a}/({den}) for {span}"
    if pts[0][0] == 1 and len(pts) > 2 and vals[1] != 0:  # a / (1 - b^t): a bias correction (Adam's eta_t)
        b = vals[0] / vals[1] - 1
        a = vals[0] * (1 - b)
        if 0 < b < 1 and all(close(v, a / (1 - b ** k)) for k, v in pts):
            return f"{_value(a)}/(1 - {_value(b)}^t) for {span}"
    return {str(k): _value(v) for k, v in pts}


def _value(v):
    from fractions import Fraction as Fr

    try:
        if hasattr(v, "is_Integer") and v.is_Integer:
            return int(v)
        if isinstance(v, Fr) and v.denominator == 1:
            return int(v)
        return float(format(float(v), ".12g"))  # for display; the replay used the full values
    except (TypeError, ValueError):
        return str(v)


def match(res, cls, kwargs: dict, methods=None, seed: int = 0, budget_s: float | None = None) -> list[dict]:
    """The registered methods that produce ``res``'s coefficients, each confirmed by a replay. With ``budget_s``,
    methods not reached within that many seconds are skipped and named in ``res.unmatched_note``."""
    import time

    start = time.perf_counter()
    from equivalences import registry
    from equivalences.inverse import invert_sequences

    if res.verdict not in ("in-family", "preconditioned", "sign") or res.eq is None:
        return []
    sign = res.verdict == "sign"
    driver = P.Driver(cls, dict(kwargs), res.rows)
    T, D = len(res.eq.eta) - 1, 16  # identified steps, less the last (its schedule values may need the next step)
    preconditioned = res.verdict == "preconditioned"
    if preconditioned and not res.regime.startswith("g/|g|"):
        return []  # coefficients in units of g/eps: no declared method's map is written in those units
    G = P.signs(T, D, seed + 7, MAGNITUDE) if preconditioned else P.gaussian(T, D, seed + 7)
    tol = F.tolerance(T)
    out = []
    keys = list(methods or registry.names())
    for i, key in enumerate(keys):
        if budget_s is not None and time.perf_counter() - start > budget_s:
            res.unmatched_note = f"matching stopped after {budget_s:g} s; not tried: {', '.join(keys[i:])}"
            break
        try:
            method, system, mp = _derived(key)
        except Exception:  # noqa: BLE001 -- a method that does not derive matches nothing
            continue
        if not _fits_structure(method, mp, res.verdict):
            continue
        found = None
        # first try every identified step; then without step t0, whose split of B_0 into eta and alpha is a
        # convention (a solver may take a schedule value there from a degenerate equation)
        for first in (0, 1):
            _forget_targets()
            sm = invert_sequences(method, _target(res.eq, method, mp, preconditioned, first,
                                                  res.step_size if sign else None), mp=mp, tolerance=MATCH_TOLERANCE)
            if not sm.matched:
                break
            try:
                dev = replay_method(method, system, sm.constants, sm.schedules, driver, G)
            except Exception:  # noqa: BLE001 -- an unreplayable match is not confirmed
                continue
            if dev <= tol:
                found = sm
                break
        if found is None:
            continue
        sm = found
        hyper = {k: _value(v) for k, v in sm.constants.items()}
        for name, values in sm.schedules.items():
            hyper[name] = describe_schedule(values)
        if preconditioned:
            hyper["preconditioner"] = "its own, parameters not identified (the probe pins it)"
        out.append({"method": method.key, "hyperparameters": hyper, "max_rel_deviation": dev})
        try:
            res.map_sequences[method.key] = map_sequences(method, mp, method_config(method, sm.constants,
                                                                                    sm.schedules), T + 1)
        except Exception:  # noqa: BLE001 -- only the plot uses them
            pass
    return out
