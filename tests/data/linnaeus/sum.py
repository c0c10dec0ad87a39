"""Stochastic unified momentum, SUM (Yang, Lin, Li 2016, "Unified convergence analysis of stochastic momentum
methods", eq. (3)): not in Linnaeus's library; s = 0 is heavy ball, s = 1 Nesterov's method.
y_(k+1) = x_k - alpha g_k,  ys_(k+1) = x_k - s alpha g_k,  x_(k+1) = y_(k+1) + beta (ys_(k+1) - ys_k)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x, ys = state("x ys")
alpha, beta, s = sp.symbols("alpha beta s")

METHOD = Method(
    key="sum",
    name="Stochastic unified momentum (Yang, Lin, Li 2016)",
    reference="Yang, Lin, Li (2016), eq. (3)",
    section="-",
    summary="heavy ball (s = 0) and Nesterov (s = 1) in one form",
    state=(x, ys),
    updates=(sp.Eq(ys(t + 1), x(t) - s * alpha * g(t)),
             sp.Eq(x(t + 1), x(t) - alpha * g(t) + beta * (ys(t + 1) - ys(t)))),
    query=x,
    init={x(1): theta0, ys(1): theta0},
    constants=(alpha, beta, s),
    defaults={alpha: sp.Rational(1, 10), beta: sp.Rational(1, 2), s: sp.Rational(1, 2)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
