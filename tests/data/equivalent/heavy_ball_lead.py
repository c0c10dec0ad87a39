"""Heavy ball whose step reads the schedule one step ahead: w_(t+1) = w_t - eta_(t+1) m_(t+1).  The same as
heavy ball counted one step later (A's step t is this method's step t - 1): a shift of the step index."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta = sp.Symbol("beta")
eta = sp.Function("eta")
lr = sp.Symbol("lr", positive=True)

METHOD = Method(
    key="heavy-ball-lead",
    name="Heavy ball reading eta one step ahead (tests/data/equivalent)",
    reference="tests/data/equivalent",
    section="-",
    summary="heavy ball with its schedule index shifted by one",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - eta(t + 1) * m(t + 1))),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta,),
    schedules=(eta,),
    defaults={beta: sp.Rational(9, 10), eta: lr * 10 / (t + 9), lr: sp.Rational(1, 20)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
