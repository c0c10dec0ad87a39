"""AggMo whose first buffer decays at the rate t/(t+1) written inline: coefficients that move with the step and
no schedule to hold constant.  Order 2 proved; the map is not found in closed form (and the report says so)."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
w, v1, v2 = state("w v1 v2")
beta2, lr = sp.symbols("beta2 lr")
METHOD = Method(key="moving-rate", name="AggMo with a moving rate (tests/data/family)", reference="tests/data", section="-",
    summary="two buffers, one with the rate t/(t+1)", state=(w, v1, v2),
    updates=(sp.Eq(v1(t + 1), t / (t + 1) * v1(t) + g(t)), sp.Eq(v2(t + 1), beta2 * v2(t) + g(t)),
             sp.Eq(w(t + 1), w(t) - lr * (v1(t + 1) + v2(t + 1)) / 2)),
    query=w, init={w(1): theta0, v1(1): 0, v2(1): 0}, constants=(beta2, lr),
    defaults={beta2: sp.Rational(9, 10), lr: sp.Rational(1, 10)})
