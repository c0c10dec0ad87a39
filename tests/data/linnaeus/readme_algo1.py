"""The first algorithm of Linnaeus's quick start (udellgroup/Linnaeus_software, README.md, "Quick start"):
x3 <- 2 x1 - x2,  x2 <- x1,  x1 <- x3 - 1/10 gradf(x3).  x3 is recomputed before it is read, so it is a
definition here (the query point), not a state.  The README's step 1/10 is the constant h here (default
1/10), so that a replay has a coefficient to perturb."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x1, x2 = state("x1 x2")
x3 = sp.Function("x3")
h = sp.Symbol("h")

METHOD = Method(
    key="linnaeus-algo1",
    name="Linnaeus quick start, algorithm 1",
    reference="Linnaeus README (Zhao, Lessard, Udell), quick start",
    section="-",
    summary="gradient step from the reflection 2 x1 - x2, step h",
    state=(x1, x2),
    define={x3: 2 * x1(t) - x2(t)},
    updates=(sp.Eq(x1(t + 1), x3(t) - h * g(t)), sp.Eq(x2(t + 1), x1(t))),
    query=x3,
    init={x1(1): theta0, x2(1): theta0},
    constants=(h,),
    defaults={h: sp.Rational(1, 10)},
)
