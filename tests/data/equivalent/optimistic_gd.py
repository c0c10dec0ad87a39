"""Optimistic gradient descent (optimistic mirror descent with the Euclidean mirror map; Popov 1980, Rakhlin &
Sridharan 2013): x_(t+1) = x_t - 2 alpha g_t + alpha g_(t-1), one gradient per step, the previous one reused."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

(x,) = state("x")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="optimistic-gd",
    name="Optimistic gradient descent (tests/data/equivalent)",
    reference="Popov (1980); Rakhlin & Sridharan (2013)",
    section="-",
    summary="a gradient step corrected by the previous gradient",
    state=(x,),
    updates=(sp.Eq(x(t + 1), x(t) - 2 * alpha * g(t) + alpha * g(t - 1)),),
    query=x,
    init={x(1): theta0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
