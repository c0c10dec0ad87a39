"""The engine must refuse a method that is not an instance of Eq. (1), never 'prove' it."""
from dataclasses import replace

import sympy as sp

from equivalences.derive import NotInFamily, derive
from equivalences.methods import ademamix as A
from equivalences.app.pipeline import verify
from equivalences.symbols import g, t
import pytest

beta1 = sp.Symbol("beta1")

# AdEMAMix with its fast EMA kept (beta1 != 0): two momenta with different decay rates.
FULL = replace(
    A.METHOD,
    key="ademamix-full",
    updates=(
        sp.Eq(A.m1(t + 1), beta1 * A.m1(t) + (1 - beta1) * g(t)),
        sp.Eq(A.m2(t + 1), A.beta3(t) * A.m2(t) + (1 - A.beta3(t)) * g(t)),
        sp.Eq(A.theta(t + 1), A.theta(t) - A.eta(t) * A.P(t, A.m1(t + 1) / (1 - beta1 ** t) + A.alpha(t) * A.m2(t + 1))),
    ),
    constants=A.METHOD.constants + (beta1,),
    defaults={**A.METHOD.defaults, beta1: sp.Rational(9, 10)},
)


def test_two_momenta_are_not_eq1():
    with pytest.raises(NotInFamily, match="more than one momentum"):
        derive(FULL)


def test_report_says_not_in_family():
    rep = verify(FULL, numeric=False)
    assert rep.map is None and rep.proof is None
    assert not rep.ok and not rep.proved
    assert "more than one momentum" in rep.not_in_family
    assert rep.to_json()["proof"]["holds"] is False


def test_beta1_zero_is_eq1():
    zero = replace(FULL, updates=tuple(sp.Eq(e.lhs, e.rhs.subs(beta1, 0)) for e in FULL.updates))
    assert verify(zero, numeric=False).proved


def test_nonlinear_state_update_is_refused():
    from equivalences.methods import heavy_ball as H

    squared = replace(H.METHOD, key="hb-squared", updates=(
        sp.Eq(H.m(t + 1), H.beta * H.m(t) ** 2 + g(t)),
        sp.Eq(H.w(t + 1), H.w(t) - H.eta(t) * H.m(t + 1)),
    ))
    with pytest.raises(NotInFamily, match="not linear"):
        derive(squared)
