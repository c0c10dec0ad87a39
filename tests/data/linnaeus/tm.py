"""Linnaeus's `Tm`, the triple momentum method (Van Scoy, Freeman, Lynch 2018; udellgroup/Linnaeus_software, linnaeus/algorithms_library.py), with its free
parameters alpha, beta, eta:
y = (1 + eta) x1 - eta x2,  x2^+ = x1,  x1^+ = (1 + beta) x1 - beta x2 - alpha grad f(y)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x1, x2 = state("x1 x2")
y = sp.Function("y")
alpha, beta, eta = sp.symbols("alpha beta eta")

METHOD = Method(
    key="linnaeus-tm",
    name="Triple momentum method (Linnaeus Tm)",
    reference="Linnaeus library (Zhao, Lessard, Udell 2021), Tm; Van Scoy, Freeman, Lynch (2018)",
    section="-",
    summary="two-step recursion in x1, gradient at y = x1 + eta (x1 - x2)",
    state=(x1, x2),
    define={y: (1 + eta) * x1(t) - eta * x2(t)},
    updates=(sp.Eq(x1(t + 1), (1 + beta) * x1(t) - beta * x2(t) - alpha * g(t)), sp.Eq(x2(t + 1), x1(t))),
    query=y,
    init={x1(1): theta0, x2(1): theta0},
    constants=(alpha, beta, eta),
    defaults={alpha: sp.Rational(1, 10), beta: sp.Rational(1, 2), eta: sp.Rational(2, 3)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
