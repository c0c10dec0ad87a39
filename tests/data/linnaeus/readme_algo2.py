"""The second algorithm of Linnaeus's quick start (udellgroup/Linnaeus_software, README.md, "Quick start"),
which that README reports oracle-equivalent to the first:
xi3 <- xi1,  xi1 <- xi1 - xi2 - 1/5 gradf(xi3),  xi2 <- xi2 + 1/10 gradf(xi3).  xi3 is a copy of xi1 made
before xi1 moves: the gradient is taken at xi1.  The README's 1/5 and 1/10 are 2h and h here at the default
h = 1/10 (h is algorithm 1's step: the same name, the same value)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

xi1, xi2 = state("xi1 xi2")
h = sp.Symbol("h")

METHOD = Method(
    key="linnaeus-algo2",
    name="Linnaeus quick start, algorithm 2",
    reference="Linnaeus README (Zhao, Lessard, Udell), quick start",
    section="-",
    summary="a point xi1 and an accumulator xi2 of the gradients",
    state=(xi1, xi2),
    updates=(sp.Eq(xi1(t + 1), xi1(t) - xi2(t) - 2 * h * g(t)),
             sp.Eq(xi2(t + 1), xi2(t) + h * g(t))),
    query=xi1,
    init={xi1(1): theta0, xi2(1): 0},
    constants=(h,),
    defaults={h: sp.Rational(1, 10)},
)
