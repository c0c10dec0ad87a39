"""A registered method run in its own variables at solved values: its settings, its coefficient sequences and
its replay against the class on a probe."""
from __future__ import annotations

import numpy as np
import sympy as sp

from .. import fit as F
from .. import probe as P


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


def _epsilon_one(method) -> dict:
    """Every transform's ``eps`` set to 1: for gradients ~1e-30 the declared preconditioner is then the identity to
    ~1e-30 (``d / (sqrt(v_hat) + 1)``), which is how the below-epsilon coefficients are written (units of g)."""
    return {tr.params["eps"].name: 1 for tr in method.transforms
            if isinstance(tr.params.get("eps"), sp.Symbol)}


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
    runs = []  # piecewise constant: "0 at t = 1, then 0.3 for t = 2..15" (torch's dampening skipped at step 1)
    for k, v in pts:
        if runs and close(v, runs[-1][2]):
            runs[-1][1] = k
        else:
            runs.append([k, k, v])
    if len(runs) <= 3:
        return ", then ".join(f"{_value(v)} " + (f"at t = {a}" if a == b else f"for t = {a}..{b}")
                              for a, b, v in runs)
    return {str(k): _value(v) for k, v in pts}


def _value(v):
    from fractions import Fraction as Fr

    try:
        if hasattr(v, "is_Integer") and v.is_Integer:
            return int(v)
        if isinstance(v, Fr) and v.denominator == 1:
            return int(v)
        x = float(format(float(v), ".12g"))  # for display; the replay used the full values
        return int(x) if x.is_integer() else x
    except (TypeError, ValueError):
        return str(v)
