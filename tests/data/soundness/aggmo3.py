"""AggMo with three buffers: not an instance of Eq. (1) in general; at beta1 = beta2 with beta3 = 0 it is heavy
ball fed 2/3 of its gradient plus an SGD step: in the family (the verdict at those values must say so)."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, v1, v2, v3 = state("w v1 v2 v3")
beta1, beta2, beta3, lr = sp.symbols("beta1 beta2 beta3 lr")
METHOD = Method(key="aggmo-3", name="AggMo with three buffers (user-declared)", reference="tests/data", section="-",
                summary="the average of three heavy-ball momenta", state=(w, v1, v2, v3),
                updates=(sp.Eq(v1(t + 1), beta1 * v1(t) + g(t)), sp.Eq(v2(t + 1), beta2 * v2(t) + g(t)),
                         sp.Eq(v3(t + 1), beta3 * v3(t) + g(t)),
                         sp.Eq(w(t + 1), w(t) - lr * (v1(t + 1) + v2(t + 1) + v3(t + 1)) / 3)),
                query=w, init={w(1): theta0, v1(1): 0, v2(1): 0, v3(1): 0}, constants=(beta1, beta2, beta3, lr),
                defaults={beta1: sp.Rational(1, 2), beta2: sp.Rational(9, 10), beta3: sp.Rational(99, 100),
                          lr: sp.Rational(1, 10)},
                domain={beta1: sp.Interval.Ropen(0, 1), beta2: sp.Interval.Ropen(0, 1),
                        beta3: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)})
