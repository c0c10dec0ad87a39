"""Adan-like (without its preconditioner): a momentum of the gradient and a momentum of the gradient difference,
m <- b1 m + (1 - b1) g, n <- b2 n + (1 - b2)(g - g_prev), w <- w - lr (m + b2 n)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m, n = state("w m n")
b1, b2, lr = sp.symbols("b1 b2 lr")
METHOD = Method(key="adan-like", name="Adan-like two momenta (tests/data/family)", reference="tests/data", section="-",
                summary="a momentum of g and a momentum of g - g_prev", state=(w, m, n),
                updates=(sp.Eq(m(t + 1), b1 * m(t) + (1 - b1) * g(t)),
                         sp.Eq(n(t + 1), b2 * n(t) + (1 - b2) * (g(t) - g(t - 1))),
                         sp.Eq(w(t + 1), w(t) - lr * (m(t + 1) + b2 * n(t + 1)))),
                query=w, init={w(1): theta0, m(1): 0, n(1): 0}, constants=(b1, b2, lr),
                defaults={b1: sp.Rational(49, 50), b2: sp.Rational(23, 25), lr: sp.Rational(1, 100)},
                domain={b1: sp.Interval.open(0, 1), b2: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)})
