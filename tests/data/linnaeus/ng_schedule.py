"""Linnaeus's `Ng` with Nesterov's momentum schedule beta_t = (t - 1)/(t + 2) (the default; the proof is for any
schedule beta_t), as the method is commonly run (Nesterov 1983; FISTA):
y_t = (1 + beta_t) x1_t - beta_t x2_t,  x2_(t+1) = x1_t,  x1_(t+1) = y_t - alpha grad f(y_t).
A transfer-function tool reads beta_t as one constant beta."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x1, x2 = state("x1 x2")
y = sp.Function("y")
beta = sp.Function("beta")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="linnaeus-ng-schedule",
    name="Nesterov's accelerated gradient, beta_t = (t - 1)/(t + 2) (Linnaeus Ng, time-varying)",
    reference="Linnaeus library, Ng, with Nesterov's schedule",
    section="-",
    summary="gradient step from y = x1 + beta_t (x1 - x2)",
    state=(x1, x2),
    define={y: (1 + beta(t)) * x1(t) - beta(t) * x2(t)},
    updates=(sp.Eq(x1(t + 1), y(t) - alpha * g(t)), sp.Eq(x2(t + 1), x1(t))),
    query=y,
    init={x1(1): theta0, x2(1): theta0},
    constants=(alpha,),
    schedules=(beta,),
    defaults={alpha: sp.Rational(1, 10), beta: (t - 1) / (t + 2)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
