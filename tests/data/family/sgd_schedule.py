"""Plain SGD with a step schedule and an idle buffer: v <- beta v + g is kept but never read, w <- w - lr(t) g.
Order 0: the smallest family is plain SGD (through Eq. (1)'s proved map, eta_a = 0)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, v = state("w v")
beta = sp.Symbol("beta")
lr = sp.Function("lr")
METHOD = Method(key="sgd-schedule", name="SGD with a schedule and an unread buffer (tests/data/family)",
                reference="tests/data", section="-", summary="a step schedule; a buffer nobody reads", state=(w, v),
                updates=(sp.Eq(v(t + 1), beta * v(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr(t) * g(t))),
                query=w, init={w(1): theta0, v(1): 0}, constants=(beta,), schedules=(lr,),
                defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10) / (t + 1)},
                domain={beta: sp.Interval.open(0, 1)})
