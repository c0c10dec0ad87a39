"""Linnaeus's `Hb`, the heavy-ball method (udellgroup/Linnaeus_software, linnaeus/algorithms_library.py):
p^+ = beta p - grad f(x),  x^+ = x + alpha p^+   (the updates run in order, so x reads the new p)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x, p = state("x p")
alpha, beta = sp.symbols("alpha beta")

METHOD = Method(
    key="linnaeus-hb",
    name="Heavy-ball method (Linnaeus Hb)",
    reference="Linnaeus library (Zhao, Lessard, Udell 2021), Hb",
    section="-",
    summary="a velocity p that decays by beta and collects minus the gradient",
    state=(x, p),
    updates=(sp.Eq(p(t + 1), beta * p(t) - g(t)), sp.Eq(x(t + 1), x(t) + alpha * p(t + 1))),
    query=x,
    init={x(1): theta0, p(1): 0},
    constants=(alpha, beta),
    defaults={alpha: sp.Rational(1, 10), beta: sp.Rational(1, 2)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
