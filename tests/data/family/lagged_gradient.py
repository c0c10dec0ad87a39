"""SGD on the previous step's gradient: w <- w - lr g(t - 1) (a delayed gradient).  Order 1, not Eq. (1)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

(w,) = state("w")
lr = sp.Symbol("lr")
METHOD = Method(key="lagged-gradient", name="SGD on the previous gradient (tests/data/family)", reference="tests/data",
                section="-", summary="a step that reads g(t - 1) only", state=(w,),
                updates=(sp.Eq(w(t + 1), w(t) - lr * g(t - 1)),), query=w, init={w(1): theta0}, constants=(lr,),
                defaults={lr: sp.Rational(1, 10)}, domain={lr: sp.Interval.open(0, sp.oo)})
