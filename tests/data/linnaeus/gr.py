"""Linnaeus's `Gr`, the gradient method (udellgroup/Linnaeus_software, linnaeus/algorithms_library.py):
x^+ = x - alpha grad f(x)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

(x,) = state("x")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="linnaeus-gr",
    name="Gradient method (Linnaeus Gr)",
    reference="Linnaeus library (Zhao, Lessard, Udell 2021), Gr",
    section="-",
    summary="one gradient step at the iterate",
    state=(x,),
    updates=(sp.Eq(x(t + 1), x(t) - alpha * g(t)),),
    query=x,
    init={x(1): theta0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
