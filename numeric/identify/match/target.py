"""The identified sequences as the shared inverse's numeric target, in exact decimals."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from equivalences.transform_kinds import KINDS, SIGN

from .. import fit as F


SNAP_RELATIVE = 2e-14
"""How far (relative) the shortest decimal may be from an identified value: the fit is good to a few 1e-15."""


def _decimal(x: float, relative: float = SNAP_RELATIVE) -> Fraction:
    """The shortest decimal within ``relative`` of ``x`` (``0.0009000000000000001 -> 9/10000``), exact: so the
    rounding noise of the fit does not reach the inverse's exact domain checks (``tau = -1e-15 < 0``)."""
    x = float(x) if np.isfinite(x) else 0.0
    for digits in range(1, 17):
        text = format(x, f".{digits}g")
        if abs(float(text) - x) <= relative * abs(x):
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
    from equivalences.inverse import forget_targets

    forget_targets()


def _fits_structure(method, mp, verdict: str) -> bool:
    transforms = [tr for tr in (method.pre, mp.post) if tr is not None]
    if verdict == "in-family":
        return not transforms
    if verdict == "preconditioned":
        return bool(transforms) and all(KINDS[tr.kind].linear for tr in transforms)
    if verdict == "sign":
        return mp.post is not None and mp.post.kind == SIGN.name and method.pre is None
    return False
