"""m' = beta m + (t - 3) g, w' = w - lr m': at t = 3 the gradient never enters the momentum, so the move of
step 4 has a g(2) term and no g(3) term -- not an instance of Eq. (1) (it used to be "proved": t - 3 was a symbol)."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
w, m = state("w m")
beta, lr = sp.symbols("beta lr")
METHOD = Method(key="t-minus-3", name="momentum with a (t-3) gradient factor", reference="user", section="-", summary="-",
    state=(w, m), updates=(sp.Eq(m(t + 1), beta * m(t) + (t - 3) * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)})
