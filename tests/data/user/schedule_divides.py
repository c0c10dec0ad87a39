"""The state divides by a schedule: m' = (beta m + g)/c_t, w' = w - lr c_t m' (heavy ball). c_t = 0 at one step
or at every step leaves the declaration itself undefined: nothing to decide there."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")
c = sp.Function("c")

METHOD = Method(
    key="schedule-divides", name="momentum divided by a schedule (user-declared)", reference="tests/data/user",
    section="-", summary="heavy ball with the buffer stored divided by c_t",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), (beta * m(t) + g(t)) / c(t)), sp.Eq(w(t + 1), w(t) - lr * c(t) * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr), schedules=(c,),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10), c: 2 + 1 / t},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
