"""SGD on a fixed filter of the last three gradients: w <- w - lr (g_t + a g_(t-1) + b g_(t-2)).
It reads g_(t-2); Eq. (1) cannot produce that filter unless b = 0."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

(w,) = state("w")
a, b, lr = sp.symbols("a b lr")

METHOD = Method(
    key="lag2-gradient",
    name="Three-tap gradient filter (user-declared)",
    reference="tests/data",
    section="-",
    summary="an update that reads g_(t-1) and g_(t-2)",
    state=(w,),
    updates=(sp.Eq(w(t + 1), w(t) - lr * (g(t) + a * g(t - 1) + b * g(t - 2))),),
    query=w,
    init={w(1): theta0},
    constants=(a, b, lr),
    defaults={a: sp.Rational(1, 2), b: sp.Rational(1, 4), lr: sp.Rational(1, 10)},
)
