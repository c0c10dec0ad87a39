"""Two coupled buffers x <- a x - y/2 + g, y <- x, w <- w - lr x: the poles are the roots of 2 z^2 - 2 a z + 1,
not rational in a (complex at the defaults).  A filter of order 2; no 2-momentum form in closed form."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
w, x, y = state("w x y")
a, lr = sp.symbols("a lr")
METHOD = Method(key="complex-poles", name="Two coupled buffers (tests/data/family)", reference="tests/data", section="-",
    summary="a second-order recursion with poles not rational in its constant", state=(w, x, y),
    updates=(sp.Eq(x(t + 1), a * x(t) - y(t) / 2 + g(t)), sp.Eq(y(t + 1), x(t)),
             sp.Eq(w(t + 1), w(t) - lr * x(t + 1))),
    query=w, init={w(1): theta0, x(1): 0, y(1): 0}, constants=(a, lr),
    defaults={a: sp.Rational(1, 2), lr: sp.Rational(1, 10)})
