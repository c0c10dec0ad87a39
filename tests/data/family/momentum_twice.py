"""Momentum applied twice: m1 <- b m1 + g, m2 <- b m2 + m1, w <- w - lr m2.  Its transfer function has the pole
b twice: no momentum form with constant coefficients, two buffers whose coefficients move with the step."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m1, m2 = state("w m1 m2")
b, lr = sp.symbols("b lr")
METHOD = Method(key="momentum-twice", name="Momentum applied twice (tests/data/family)", reference="tests/data",
                section="-", summary="a heavy-ball momentum of a heavy-ball momentum", state=(w, m1, m2),
                updates=(sp.Eq(m1(t + 1), b * m1(t) + g(t)), sp.Eq(m2(t + 1), b * m2(t) + m1(t + 1)),
                         sp.Eq(w(t + 1), w(t) - lr * m2(t + 1))),
                query=w, init={w(1): theta0, m1(1): 0, m2(1): 0}, constants=(b, lr),
                defaults={b: sp.Rational(9, 10), lr: sp.Rational(1, 100)},
                domain={b: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)})
