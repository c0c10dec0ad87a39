"""Broken: the query point y reads g(t), the gradient taken at y itself (an implicit step)."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
(x,) = state("x")
y = sp.Function("y")
a = sp.Symbol("a")
METHOD = Method(key="implicit", name="implicit", reference="-", section="-", summary="a query point that reads its own gradient", state=(x,),
    define={y: x(t) - a * g(t)}, updates=(sp.Eq(x(t + 1), x(t) - a * g(t)),), query=y,
    init={x(1): theta0}, constants=(a,), defaults={a: sp.Rational(1, 10)})
