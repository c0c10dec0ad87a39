"""Which registered methods produce the identified coefficients, at which settings, confirmed by a replay.

For every registered method whose transforms fit the verdict (none for *in-family*; its own diagonal
preconditioner for *preconditioned*, whose parameters the probe pins and therefore cannot identify), the shared
inverse of a map (:func:`equivalences.inverse.invert_sequences`, numeric-sequence mode) solves the method's
map = the identified sequences for its constants and schedule values. The identified values enter as exact
decimals of 12 significant digits (the fit is good to ~1e-15, so this changes nothing that matters and keeps
rounding noise such as ``tau = -4e-16`` out of the domain checks), with the inverse's float tolerance 1e-9.
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


def _decimal(x: float) -> Fraction:
    return Fraction(format(float(x) if np.isfinite(x) else 0.0, ".15g"))


def _target(eq: F.Eq1, method, mp, preconditioned: bool, first: int = 0):
    """The identified sequences as the inverse's numeric target, from step ``first`` on."""
    from equivalences.inverse import Target

    t0, K = method.t0, len(eq.eta)
    seq = lambda a, shift=0: {t0 + k + shift: _decimal(a[k]) for k in range(first, len(a))}  # noqa: E731
    beta = eq.beta.copy()
    # beta at t0 multiplies the zero start: not identifiable, and the inverse compares beta from t0 + 1 on; a
    # neutral continuation keeps a schedule solved from it (e.g. beta1(t0)) from showing a spurious value
    beta[0] = beta[1] if len(beta) > 1 and np.isfinite(beta[1]) else 0.0
    gamma = seq(eq.gamma, 1) if eq.gamma is not None else None  # gamma[k] forms e after step k
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


def replay_method(method, system, constants: dict, schedules: dict, driver: P.Driver, G: np.ndarray) -> float:
    """The declared method in its own variables with these values, fed the gradients ``G`` (open loop) from 0,
    against the class on the same gradients: max relative deviation of query (and evaluation) points."""
    import sympy as sp
    import torch

    from numeric.compile import Config
    from numeric.forms import Coefficients, MethodForm

    overrides = {}
    for name, value in constants.items():
        sym = method.hyperparameter(name)
        if sym is not None and value is not None:
            overrides[sym] = float(value)
    for name, values in schedules.items():
        f = method.hyperparameter(name)
        if f is not None and values:
            overrides[f] = _schedule_expr(name, values)
    cfg = Config.from_method(method, overrides)
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
    _ = sp  # sympy is used through Config
    return dev


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


def match(res, cls, kwargs: dict, methods=None, seed: int = 0) -> list[dict]:
    """The registered methods that produce ``res``'s coefficients, each confirmed by a replay."""
    from equivalences import registry
    from equivalences.inverse import invert_sequences

    if res.verdict not in ("in-family", "preconditioned") or res.eq is None:
        return []
    driver = P.Driver(cls, dict(kwargs))
    T, D = len(res.eq.eta) - 1, 16  # identified steps, less the last (its schedule values may need the next step)
    preconditioned = res.verdict == "preconditioned"
    if preconditioned and not res.regime.startswith("g/|g|"):
        return []  # coefficients in units of g/eps: no declared method's map is written in those units
    G = P.signs(T, D, seed + 7, MAGNITUDE) if preconditioned else P.gaussian(T, D, seed + 7)
    tol = F.tolerance(T)
    out = []
    for key in methods or registry.names():
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
            sm = invert_sequences(method, _target(res.eq, method, mp, preconditioned, first), mp=mp,
                                  tolerance=MATCH_TOLERANCE)
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
            vals = [_value(v) for _, v in sorted(values.items()) if v is not None]
            if vals and all(abs(float(v) - float(vals[0])) <= 1e-9 * max(1.0, abs(float(vals[0]))) for v in vals):
                hyper[name] = vals[0]
            else:
                hyper[name] = {str(k): _value(v) for k, v in sorted(values.items()) if v is not None}
        if preconditioned:
            hyper["preconditioner"] = "its own, parameters not identified (the probe pins it)"
        out.append({"method": method.key, "hyperparameters": hyper, "max_rel_deviation": dev})
    return out
