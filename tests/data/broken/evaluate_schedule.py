"""An evaluation sequence that is a schedule."""
import sympy as sp

from equivalences.declare import Claim, Method, Transform, state
from equivalences.symbols import beta_a, g, t, theta0

w, m = state("w m")
beta = sp.Symbol("beta")
eta = sp.Function("eta")

METHOD = Method(
    key="broken", name="broken", reference="tests/data/broken", section="-", summary="-",
    state=(w, m),
    updates=(
        sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * g(t)),
        sp.Eq(w(t + 1), w(t) - eta(t) * m(t + 1)),
    ),
    query=w,
    evaluate=eta,
    init={w(1): theta0, m(1): 0},
    constants=(beta,),
    schedules=(eta,),
    defaults={beta: sp.Rational(9, 10), eta: sp.Rational(1, 10)},
    domain={beta: sp.Interval.open(0, 1)},
)
