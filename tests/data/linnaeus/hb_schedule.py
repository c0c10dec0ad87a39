"""Linnaeus's `Hb` with the step alpha_t = alpha0 / (t + 1) (the default; the proof is for any schedule):
p_(t+1) = beta p_t - grad f(x_t),  x_(t+1) = x_t + alpha_t p_(t+1).
A transfer-function tool reads alpha_t as one constant alpha."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x, p = state("x p")
alpha = sp.Function("alpha")
beta = sp.Symbol("beta")
alpha0 = sp.Symbol("alpha0", positive=True)

METHOD = Method(
    key="linnaeus-hb-schedule",
    name="Heavy-ball method, step alpha0/(t + 1) (Linnaeus Hb, time-varying)",
    reference="Linnaeus library, Hb, with a decaying step",
    section="-",
    summary="heavy ball whose step decays as 1/(t + 1)",
    state=(x, p),
    updates=(sp.Eq(p(t + 1), beta * p(t) - g(t)), sp.Eq(x(t + 1), x(t) + alpha(t) * p(t + 1))),
    query=x,
    init={x(1): theta0, p(1): 0},
    constants=(beta,),
    schedules=(alpha,),
    defaults={beta: sp.Rational(1, 2), alpha: alpha0 / (t + 1), alpha0: sp.Rational(1, 10)},
    domain={alpha0: sp.Interval.open(0, sp.oo)},
)
