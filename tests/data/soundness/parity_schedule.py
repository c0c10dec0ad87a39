"""The same factor declared as a schedule s(t): proved for generic schedules; at its default body (0 at odd
steps) the map is undefined and no map exists -- not an instance at these values, with a witness."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
w, m = state("w m")
beta, lr = sp.symbols("beta lr"); s = sp.Function("s")
METHOD = Method(key="parity-s", name="momentum fed on even steps (schedule)", reference="user", section="-", summary="-",
    state=(w, m), updates=(sp.Eq(m(t + 1), beta * m(t) + s(t) * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr), schedules=(s,),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10), s: (1 + (-1)**t)/2},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)})
