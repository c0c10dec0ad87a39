"""Linnaeus's `Gr` with a step-size schedule alpha_t (default alpha0 / t), as gradient descent is commonly run:
x_(t+1) = x_t - alpha_t grad f(x_t).  A transfer-function tool reads alpha_t as one constant alpha."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

(x,) = state("x")
alpha = sp.Function("alpha")
alpha0 = sp.Symbol("alpha0", positive=True)

METHOD = Method(
    key="linnaeus-gr-schedule",
    name="Gradient method, step schedule alpha_t (Linnaeus Gr, time-varying)",
    reference="Linnaeus library, Gr, with a decaying step",
    section="-",
    summary="one gradient step at the iterate, step alpha_t",
    state=(x,),
    updates=(sp.Eq(x(t + 1), x(t) - alpha(t) * g(t)),),
    query=x,
    init={x(1): theta0},
    schedules=(alpha,),
    defaults={alpha: alpha0 / t, alpha0: sp.Rational(1, 10)},
    domain={alpha0: sp.Interval.open(0, sp.oo)},
)
