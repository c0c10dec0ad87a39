"""AggMo with two buffers and a step-size schedule lr(t): w <- w - lr(t) (v_1 + v_2) / 2.  Time-varying
coefficients: a 2-momentum form with eta^(i)_t = lr(t)/2."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, v1, v2 = state("w v1 v2")
beta1, beta2 = sp.symbols("beta1 beta2")
lr = sp.Function("lr")
METHOD = Method(key="aggmo-schedule", name="AggMo with a step schedule (tests/data/family)", reference="tests/data",
                section="-", summary="two heavy-ball momenta averaged, with a step schedule", state=(w, v1, v2),
                updates=(sp.Eq(v1(t + 1), beta1 * v1(t) + g(t)), sp.Eq(v2(t + 1), beta2 * v2(t) + g(t)),
                         sp.Eq(w(t + 1), w(t) - lr(t) * (v1(t + 1) + v2(t + 1)) / 2)),
                query=w, init={w(1): theta0, v1(1): 0, v2(1): 0}, constants=(beta1, beta2), schedules=(lr,),
                defaults={beta1: sp.Rational(1, 2), beta2: sp.Rational(9, 10), lr: sp.Rational(1, 10) / (t + 1)},
                domain={beta1: sp.Interval.Ropen(0, 1), beta2: sp.Interval.Ropen(0, 1)})
