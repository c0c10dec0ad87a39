"""Linnaeus's `Ng`, Nesterov's accelerated gradient method (udellgroup/Linnaeus_software, linnaeus/algorithms_library.py), updates in that library's order:
y = (1 + beta) x1 - beta x2,  x2^+ = x1,  x1^+ = y - alpha grad f(y)   (the gradient at the extrapolated y)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x1, x2 = state("x1 x2")
y = sp.Function("y")
alpha, beta = sp.symbols("alpha beta")

METHOD = Method(
    key="linnaeus-ng",
    name="Nesterov's accelerated gradient (Linnaeus Ng)",
    reference="Linnaeus library (Zhao, Lessard, Udell 2021), Ng",
    section="-",
    summary="gradient step from the extrapolated point y = x1 + beta (x1 - x2)",
    state=(x1, x2),
    define={y: (1 + beta) * x1(t) - beta * x2(t)},
    updates=(sp.Eq(x1(t + 1), y(t) - alpha * g(t)), sp.Eq(x2(t + 1), x1(t))),
    query=y,
    init={x1(1): theta0, x2(1): theta0},
    constants=(alpha, beta),
    defaults={alpha: sp.Rational(1, 10), beta: sp.Rational(1, 2)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
