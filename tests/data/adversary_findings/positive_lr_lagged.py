"""Finding (family lagged-gradient, any non-member with a constant declared positive=True): internal error.

    w_(t+1) = w_t - lr g_(t-1),   lr = sp.Symbol("lr", positive=True)

Truth: not in the family (H is bidiagonal: (Z) of tests/adversaries.py).  The engine finds the witness, then
its condition search raises IndexError (trajectory.condition: sp.solve(lr, lr) is [] for a positive lr).
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

(w,) = state("w")
lr = sp.Symbol("lr", positive=True)

MEMBER = False  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-positive-lr-lagged", name="SGD on the previous gradient, lr positive",
    reference="tests/adversaries.py", section="-", summary="w' = w - lr g(t - 1)",
    state=(w,), updates=(sp.Eq(w(t + 1), w(t) - lr * g(t - 1)),),
    query=w, init={w(1): theta0},
    constants=(lr,), defaults={lr: sp.Rational(1, 10)},
)
