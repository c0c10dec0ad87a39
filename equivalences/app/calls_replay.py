"""The replay of ``verify equivalent`` for methods with several gradient calls per step: the exact check at the
replay's values, both concrete declarations side by side (:mod:`numeric.multicall`), and B with one coefficient
perturbed -- a change of its queries decided exactly first -- which the same replay must reject."""
from __future__ import annotations

import time

import sympy as sp

from ..equivalent import Equivalence, b_values, concrete, renumbered, values_of
from ..equivalent.calls import calls_form, first_query_difference

EXACT_STEPS = 8


def _differ(a, b, steps: int = EXACT_STEPS):
    A, B = calls_form(a, "_A"), calls_form(b, "_B")
    return first_query_difference(A, B, steps * max(A.r, B.r))


def replay_calls(r: Equivalence, sets_a: dict, sets_b: dict, *, steps: int, dim: int, seed: int) -> dict:
    from numeric.multicall import replay_calls as run

    start = time.perf_counter()
    va = values_of(r.a, sets_a)
    vb = b_values(r, va, sets_b)
    b_run = renumbered(r.b, r.shift)  # B counted from the step the proof found (a shift of the step index)
    ca, cb = concrete(r.a, va), concrete(b_run, vb)
    key = lambda k: k.name if isinstance(k, sp.Symbol) else f"{k.__name__}(t)"  # noqa: E731
    gap = _differ(ca, cb)
    out = {"steps": steps, "dim": dim, "seed": seed, "dtype": "float64", "problem": "lsq",
           "values_a": {key(k): sp.sstr(v) for k, v in va.items()}, "values_b": {key(k): sp.sstr(v) for k, v in vb.items()},
           "exact_steps": EXACT_STEPS, "exact_agree": gap is None, "passed": False}
    if gap is not None:  # the proof and the exact values disagree: an internal inconsistency, exit 1
        out["exact_difference"] = gap.sentence(r.a.key, r.b.key)
        return out
    res = run(ca, cb, steps=steps, dim=dim, seed=seed)
    out.update({"max_rel_deviation": res.worst, "tolerance": res.tolerance, "diverged": res.diverged,
                "agrees": res.agrees, "queries": res.steps})
    name, bad = "none applicable (no coefficient of B changes its queries)", None
    for label, change in _perturbations(r.b, vb):
        changed = concrete(b_run, {**vb, **change})
        if _differ(cb, changed) is not None:
            name, bad = label, changed
            break
    out["control"] = {"perturbation": name, "max_rel_deviation": None, "rejected": False}
    if bad is not None:
        worse = run(ca, bad, steps=steps, dim=dim, seed=seed)
        out["control"]["max_rel_deviation"] = worse.worst
        out["control"]["rejected"] = bool(worse.mismatched_divergence or (not worse.diverged and worse.worst > worse.tolerance))
    out["passed"] = bool(res.agrees and not res.diverged and out["control"]["rejected"])
    out["seconds"] = round(time.perf_counter() - start, 3)
    return out


def _perturbations(b, vb: dict):
    """B's candidate perturbations, in order: a constant 1% too large, a schedule read one step late, a schedule 1%
    too large (the first that changes B's queries at these values, decided exactly, is the control)."""
    from ..symbols import t

    for c in b.constants:
        if c in vb and not isinstance(b.domain.get(c), sp.FiniteSet):
            yield f"{b.key}'s {c.name} 1% too large", {c: vb[c] * sp.Rational(101, 100) + sp.Rational(1, 1000)}
    for f in b.schedules:
        if f in vb:
            yield f"{b.key}'s {f.__name__}(t) read one step late", {f: vb[f].subs(t, t + 1)}
            yield f"{b.key}'s {f.__name__}(t) 1% too large", {f: vb[f] * sp.Rational(101, 100)}
