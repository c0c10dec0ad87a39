"""Deliberately wrong maps: the negative controls of the numeric replay and the mutation suite."""
from __future__ import annotations

import sympy as sp

from .algebra import canonical, shift
from .derive import Map
from .printing import text


def _changed(a, b) -> bool:
    return canonical(a - b) != 0


def control(mp: Map, changed=_changed) -> tuple[str, Map]:
    """The negative control: the derived map with its schedule one step off (``c_{t+1} -> c_{t+2}`` in
    eta_a; late rather than early, so no schedule is read before its first step), or, for a method whose
    eta_a does not change with ``t``, with beta_a 1% too small.  ``changed(a, b)`` decides whether a
    perturbation changes anything (default: symbolically; a replay at constant schedules passes a numeric test)."""
    shifted = shift(mp.eta_a, 1)
    if changed(shifted, mp.eta_a):
        return f"eta_a read one step late: {text(shifted)} for {text(mp.eta_a)}", mp.replace(eta_a=shifted)
    beta = mp.beta_a * sp.Rational(99, 100)
    if changed(beta, mp.beta_a):
        return "beta_a 1% too small", mp.replace(beta_a=beta)
    alpha = mp.alpha_a * sp.Rational(101, 100) + sp.Rational(1, 100)
    return "alpha_a 1% too large", mp.replace(alpha_a=alpha)
