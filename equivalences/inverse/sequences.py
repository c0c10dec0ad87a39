"""The numeric mode: TO's hyperparameters from coefficient sequences given as numbers per step, each candidate
checked at every step against the target."""
from __future__ import annotations

from typing import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from ..declare import Method
from ..derive import Map
from ..symbols import t
from .branches import invert
from .declared import schedule_domain
from .solution import Inverse, SequenceMatch, set_text
from .target import Target


def _at(expr, step: int, values: Mapping):
    """``expr`` at step ``step`` with the numeric target's sequences substituted (None: a value missing)."""
    e = sp.sympify(expr).subs(t, step)
    for a in sorted(e.atoms(AppliedUndef), key=sp.default_sort_key):
        table = values.get(a.func)
        if table is None:
            return None
        k = a.args[0]
        if not k.is_Integer or int(k) not in table:
            return None
        e = e.xreplace({a: table[int(k)]})
    return e


def _rel(a, b) -> float:
    if sp.sympify(a).has(sp.nan, sp.zoo, sp.oo) or sp.sympify(b).has(sp.nan, sp.zoo, sp.oo):
        return float("inf")
    a, b = complex(sp.N(a)), complex(sp.N(b))
    den = max(abs(a), abs(b))
    return 0.0 if den == 0 else abs(a - b) / den


def invert_sequences(method: Method, target: Target, *, mp: Map, tolerance: float | None = None,
                     ) -> SequenceMatch:
    """Match per-step coefficient values against ``method`` (see the module doc); never raises."""
    try:
        return _invert_sequences(method, target, mp, tolerance)
    except Exception as err:  # noqa: BLE001 -- a method the solver cannot handle is "no match", with why
        return SequenceMatch(method.key, False, float("inf"),
                             reason=f"the solver failed on {method.key}: {type(err).__name__}: {err}")


def _invert_sequences(method, target, mp, tolerance) -> SequenceMatch:
    values = target.values or {}
    exact_target = all(v.is_Rational for table in values.values() for v in table.values())
    tol = tolerance if tolerance is not None else (0.0 if exact_target else 1e-9)
    inv = invert(method, target, mp=mp)
    if inv.exists == "never" and not inv.alternatives:
        return SequenceMatch(method.key, False, float("inf"), reason=inv.reason, exists="never")
    steps = sorted(set.intersection(*(set(tb) for tb in values.values())))
    # every hyperparameter the coefficients depend on must be determined; a constant that only a transform reads
    # (a preconditioner's beta2, eps) is not seen by beta_a, eta_a, alpha_a and stays free here
    # (likewise a schedule only the averaging reads, Accelerated-AdamW's c, when the target has no averaging)
    coefficients = [e for e in (mp.beta_a, mp.eta_a, mp.alpha_a, mp.K) if e is not None]
    if target.gamma_avg is not None and mp.gamma_avg is not None:
        coefficients.append(mp.gamma_avg)
    needed = {x.name for x in method.constants if any(sp.sympify(e).has(x) for e in coefficients)}
    used = {f.__name__ for f in method.schedules if any(a.func == f for e in coefficients
                                                         for a in sp.sympify(e).atoms(AppliedUndef))}
    candidates = [c for c in [inv] + [a for a in inv.alternatives if a.exists != "never"] if not c.recurrence
                  and set(c.constants) >= needed and set(c.schedules) >= used]
    if not candidates:
        return SequenceMatch(method.key, False, float("inf"), exists=inv.exists,
                             conditions=[c.text for c in inv.conditions],
                             reason=f"the equations do not determine every hyperparameter of {method.key} in closed "
                                    f"form ({inv.condition_text or inv.reason})")
    best = None
    for cand in candidates:
        m = _evaluate_candidate(method, mp, target, cand, steps, values)
        if best is None or m.misfit < best.misfit:
            best = m
    best.matched = best.misfit <= tol and best.reason is None
    if not best.matched and best.reason is None:
        best.reason = f"the best fit misses the target by a relative {best.misfit:.3g} (tolerance {tol:g})"
    return best


def _evaluate_candidate(method, mp, target, cand: Inverse, steps, values) -> SequenceMatch:
    offset = cand.offset
    own = [s - offset for s in steps]  # TO's own steps
    consts = {}
    for c in method.constants:
        expr = cand.constants.get(c.name)
        if expr is None:
            continue
        val = None
        for s in own[1:] + own[:1]:  # a constant from beta_a is defined from t0 + 1 on
            val = _at_to(expr, s, offset, values)
            if val is not None:
                break
        consts[c] = val
    scheds = {}
    for f in method.schedules:
        expr = cand.schedules.get(f.__name__)
        if expr is None:
            continue
        tab = {}
        for s in range(own[0] - 1, own[-1] + 2):
            v = _at_to(sp.sympify(expr).xreplace({k: v for k, v in consts.items() if v is not None}), s, offset,
                       values)
            if v is not None:
                tab[s] = v if (v.is_finite is not False and not v.has(sp.nan, sp.zoo)) else None
        scheds[f] = tab
    missing = [c.name for c, v in consts.items() if v is None]
    if missing:
        return SequenceMatch(method.key, False, float("inf"), reason=f"the target does not determine {missing}",
                             exists=cand.exists, conditions=[c.text for c in cand.conditions], chosen=cand.chosen)
    # recompute TO's coefficients from the solved values, step by step, against the target
    reproduce = {"beta_a": (mp.beta_a, target.beta_a, 1), "eta_a": (mp.K * mp.eta_a, target.K * target.eta_a, 0),
                 "alpha_a": (mp.K * mp.alpha_a, target.K * target.alpha_a, 0)}
    if mp.post is not None and not mp.post.linear:
        reproduce["eta_a"] = (mp.eta_a * target.alpha_a.subs(t, t + offset), mp.alpha_a * target.eta_a.subs(t, t + offset), 0)
        reproduce["alpha_a"] = (mp.K, target.K.subs(t, t + offset), 0)
    if mp.gamma_avg is not None and target.gamma_avg is not None:
        reproduce["gamma_avg"] = (mp.gamma_avg, target.gamma_avg, 1)
    fixed = {c: v for c, v in consts.items()}
    fixed.update({sp.Symbol(k): v for k, v in cand.branch.items()})
    misfit, checked = 0.0, 0
    for name, (ours, theirs, skip) in reproduce.items():
        sign_pair = mp.post is not None and not mp.post.linear
        for s in own[skip:]:
            a = _numeric_ours(ours, s, fixed, scheds, values, offset)
            b = _at_to(theirs, s, offset, values) if not sign_pair else _numeric_ours(theirs, s, fixed, scheds,
                                                                                   values, offset)
            if a is None and b is not None and s not in (own[skip], own[-1]):
                misfit = float("inf")  # TO's value is undetermined inside the range: no fit
            if a is None or b is None:
                continue
            misfit = max(misfit, _rel(a, b))
            checked += 1
    reason = None
    bad = _numeric_domain(method, consts, scheds)
    if bad:
        reason, misfit = bad, float("inf")
    return SequenceMatch(method.key, False, misfit if checked else float("inf"),
                         {c.name: v for c, v in consts.items()},
                         {f.__name__: {k: v for k, v in sorted(tb.items()) if v is not None} for f, tb in scheds.items()},
                         reason or (None if checked else "no step could be checked"), cand.exists,
                         [c.text for c in cand.conditions], dict(cand.chosen))


def _at_to(expr, s, offset, values):
    """A target-side expression, written at TO's step ``t``, evaluated at TO step ``s``."""
    return _at(sp.sympify(expr), s, _shifted(values, offset))


def _shifted(values, offset):
    key = (id(values), offset)
    cache = _shifted.cache
    if key not in cache:
        cache.clear()
        cache[key] = {f: {k - offset: v for k, v in tb.items()} for f, tb in values.items()}
    return cache[key]


_shifted.cache = {}


def _numeric_ours(expr, s, consts, scheds, values, offset):
    e = sp.sympify(expr).xreplace({c: v for c, v in consts.items() if v is not None})
    for f, tb in scheds.items():
        for a in [x for x in e.atoms(AppliedUndef) if x.func == f]:
            k = a.subs(t, s).args[0]
            if int(k) not in tb:
                return None
    e = e.subs(t, s)
    for a in list(e.atoms(AppliedUndef)):
        tb = scheds.get(a.func) or _shifted(values, offset).get(a.func)
        if tb is None or not a.args[0].is_Integer or int(a.args[0]) not in tb:
            return None
        if tb[int(a.args[0])] is None:  # TO's schedule is undefined there (0/0): nothing reproduces the target
            return sp.nan
        e = e.xreplace({a: tb[int(a.args[0])]})
    return e if not e.free_symbols else None


def _numeric_domain(method, consts, scheds) -> str | None:
    for c, v in consts.items():
        dom = method.domain.get(c)
        if dom is not None and v is not None and v.is_number and dom.contains(v) == sp.false:
            return f"{method.key}'s {c.name} would be {v}, but it must be {set_text(dom)}"
    for f, tb in scheds.items():
        dom = schedule_domain(method, f)
        for s, v in tb.items():
            if dom is not None and v is not None and v.is_number and dom.contains(v) == sp.false:
                return f"{method.key}'s {f.__name__} at step {s} would be {v}, but it must be {set_text(dom)}"
    return None


def forget_targets() -> None:
    """Drop the shifted values cached by a target's ``id`` (a new target may reuse a collected one's id)."""
    _shifted.cache.clear()
