"""Heavy ball that does not move at step 3 (eta_3 = 0: w' = w - lr (t - 3) m'): an Eq. (1) member with eta = 0 at
one step -- the momentum keeps accumulating, the update just skips it.  Must be proved (no denominator vanishes)."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")
METHOD = Method(key="idle-step", name="heavy ball idle at step 3", reference="user", section="-", summary="-",
                state=(w, m),
                updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr * (t - 3) * m(t + 1))),
                query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
                defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
                domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)})
