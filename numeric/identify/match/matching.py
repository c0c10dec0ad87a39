"""``match``: every registered method whose transforms fit the verdict, its candidates replayed against the
class on a held-out probe."""
from __future__ import annotations

import numpy as np
import sympy as sp

from .. import fit as F
from .. import probe as P
from ..verdict import TINY
from .candidates import MATCH_TOLERANCE, _candidates
from .run import _epsilon_one, _value, describe_schedule, map_sequences, method_config, replay_method
from .target import _fits_structure, _forget_targets, _target


def _needed(method, mp) -> set:
    """The constants the map's coefficients depend on (a preconditioner's beta2 and eps are not among them)."""
    coefficients = [sp.sympify(e) for e in (mp.beta_a, mp.eta_a, mp.alpha_a, mp.K, mp.gamma_avg) if e is not None]
    return {c.name for c in method.constants if any(e.has(c) for e in coefficients)}


def _probe_for(res, T: int, D: int, seed: int) -> np.ndarray:
    """Gradients in the regime the coefficients were identified in (``res.probe_scale``)."""
    if res.verdict == "preconditioned" and res.regime.startswith("g/|g|"):
        return P.signs(T, D, seed, res.probe_scale)
    return P.gaussian(T, D, seed, res.probe_scale if res.verdict != "sign" else 1.0)


def match(res, cls, kwargs: dict, derivations: list, seed: int = 0, budget_s: float | None = None) -> list[dict]:
    """The methods of ``derivations`` (the engine's :class:`~equivalences.derivation.Derivation` of each: the
    registered ones, or a user's; :func:`numeric.identify.census.derivations_of`) that produce ``res``'s
    coefficients, each confirmed by a replay. With ``budget_s``, methods not reached within that many seconds are
    skipped and named in ``res.unmatched_note``.  A map derived on the reachable states only (the trajectory
    route, written for a reduced declaration) is not solved here.

    Below epsilon (coefficients in units of g, the preconditioner the constant ``1/epsilon``) a method matches when
    its momentum recursion does: its own preconditioner is left out of the solve and replayed with ``epsilon = 1``
    (the identity there), so its ``eta`` carries the class's ``1/epsilon``."""
    import time
    from dataclasses import replace

    start = time.perf_counter()
    from equivalences.inverse import invert_sequences

    if res.verdict not in ("in-family", "preconditioned", "sign") or res.eq is None:
        return []
    sign = res.verdict == "sign"
    driver = P.Driver(cls, dict(kwargs), res.rows)
    T, D = len(res.eq.eta) - 1, 16  # identified steps, less the last (its schedule values may need the next step)
    preconditioned = res.verdict == "preconditioned"
    below_eps = preconditioned and res.probe_scale == TINY
    G = _probe_for(res, T, D, seed + 7)
    tol = F.tolerance(T)
    out = []
    for i, d in enumerate(derivations):
        if budget_s is not None and time.perf_counter() - start > budget_s:
            res.unmatched_note = (f"matching stopped after {budget_s:g} s; not tried: "
                                  f"{', '.join(x.method.key for x in derivations[i:])}")
            break
        if d.map is None or d.verdict is not None:  # no map, or one of the reduced declaration only
            continue
        method, system, mp = d.method, d.system, d.map
        if not _fits_structure(method, mp, res.verdict):
            continue
        solved, solved_mp = (replace(method, pre=None), mp.replace(post=None)) if below_eps else (method, mp)
        found, tried = None, set()

        def deviation(constants, schedules):
            """The declared method at these values replayed against the class (inf where it cannot run)."""
            if below_eps:
                constants = {**constants, **_epsilon_one(method)}
            try:
                return replay_method(method, system, constants, schedules, driver, G)
            except Exception:  # noqa: BLE001 -- an unreplayable match is not confirmed
                return float("inf")

        # first every identified step; then from t0 + 1 on, the start solved from the first move (at a restart
        # the split of B_0 into eta and alpha is a convention, wrong where alpha_a varies with t)
        for first in (0, 1):
            _forget_targets()
            sm = invert_sequences(solved, _target(res.eq, solved, solved_mp, preconditioned and not below_eps, first,
                                                  res.step_size if sign else None), mp=solved_mp,
                                  tolerance=MATCH_TOLERANCE)
            if not sm.matched and not _needed(solved, solved_mp) <= set(sm.constants):
                continue  # no closed form, and constants the step-by-step solve would need are missing
            for constants, schedules, chosen, dev in _candidates(sm, solved, solved_mp, res.eq, deviation, tol,
                                                                 tried):
                if dev <= tol:
                    found = ({**constants, **_epsilon_one(method)} if below_eps else constants, schedules, dev,
                             chosen)
                    break
            if found:
                break
        if found is None:
            continue
        constants, schedules, dev, chosen = found
        hyper = {k: _value(v) for k, v in constants.items()}
        for name, values in schedules.items():
            hyper[name] = describe_schedule(values)
        if chosen:
            hyper["chosen"] = (", ".join(chosen) + ": chosen (the coefficients fix only a combination of the "
                               "values there; other choices can give the same trajectory)")
        if below_eps:
            hyper["preconditioner"] = ("below epsilon the class's preconditioner is the constant 1/epsilon: the "
                                       "momentum recursion matches, replayed with epsilon = 1 (eta carries 1/epsilon)")
        elif preconditioned:
            hyper["preconditioner"] = "its own, parameters not identified (the probe pins it)"
        out.append({"method": method.key, "hyperparameters": hyper, "max_rel_deviation": dev})
        try:
            res.map_sequences[method.key] = map_sequences(method, mp, method_config(method, constants, schedules),
                                                          T + 1)
        except Exception:  # noqa: BLE001 -- only the plot uses them
            pass
    return out
