"""Linnaeus's `Rg`, Malitsky's reflected gradient method (udellgroup/Linnaeus_software, linnaeus/algorithms_library.py), unconstrained (the projection P_C with
C the whole space is the identity; Linnaeus's step t is called tau here, t being our step index):
y = 2 x1 - x2,  x2^+ = x1,  x1^+ = P_C(x1 - tau grad f(y))."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x1, x2 = state("x1 x2")
y = sp.Function("y")
tau = sp.Symbol("tau")

METHOD = Method(
    key="linnaeus-rg",
    name="Reflected gradient method, unconstrained (Linnaeus Rg)",
    reference="Linnaeus library (Zhao, Lessard, Udell 2021), Rg; Malitsky (2015)",
    section="-",
    summary="a gradient step from x1 with the gradient at the reflection 2 x1 - x2",
    state=(x1, x2),
    define={y: 2 * x1(t) - x2(t)},
    updates=(sp.Eq(x1(t + 1), x1(t) - tau * g(t)), sp.Eq(x2(t + 1), x1(t))),
    query=y,
    init={x1(1): theta0, x2(1): theta0},
    constants=(tau,),
    defaults={tau: sp.Rational(1, 10)},
    domain={tau: sp.Interval.open(0, sp.oo)},
)
