"""Momentum applied twice with a step schedule lr(t): coupled buffers (m2 reads m1) and a coefficient that moves
with the step; the map is found with lr held constant, lr(t) put back, and proved again."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
w, m1, m2 = state("w m1 m2")
b = sp.Symbol("b"); lr = sp.Function("lr")
METHOD = Method(key="momentum-twice-schedule", name="Momentum applied twice, step schedule (tests/data/family)",
                reference="tests/data", section="-", summary="a momentum of a momentum, with lr(t)", state=(w, m1, m2),
                updates=(sp.Eq(m1(t + 1), b * m1(t) + g(t)), sp.Eq(m2(t + 1), b * m2(t) + m1(t + 1)),
                         sp.Eq(w(t + 1), w(t) - lr(t) * m2(t + 1))),
                query=w, init={w(1): theta0, m1(1): 0, m2(1): 0}, constants=(b,), schedules=(lr,),
                defaults={b: sp.Rational(9, 10), lr: sp.Rational(1, 100) / (t + 1)},
                domain={b: sp.Interval.open(0, 1)})
