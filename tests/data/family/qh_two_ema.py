"""A QHAdam-like mix without the preconditioner: two EMAs of the gradient, m_i <- b_i m_i + (1 - b_i) g, and the
step lr (nu m_1 + (1 - nu) m_2): a nu-weighted mix of two EMAs.  Outside Eq. (1) unless b1 = b2 (or nu in {0, 1})."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m1, m2 = state("w m1 m2")
b1, b2, nu, lr = sp.symbols("b1 b2 nu lr")
METHOD = Method(key="qh-two-ema", name="QHAdam-like mix of two EMAs (tests/data/family)", reference="tests/data",
                section="-", summary="a nu-weighted mix of two EMAs of the gradient", state=(w, m1, m2),
                updates=(sp.Eq(m1(t + 1), b1 * m1(t) + (1 - b1) * g(t)), sp.Eq(m2(t + 1), b2 * m2(t) + (1 - b2) * g(t)),
                         sp.Eq(w(t + 1), w(t) - lr * (nu * m1(t + 1) + (1 - nu) * m2(t + 1)))),
                query=w, init={w(1): theta0, m1(1): 0, m2(1): 0}, constants=(b1, b2, nu, lr),
                defaults={b1: sp.Rational(9, 10), b2: sp.Rational(999, 1000), nu: sp.Rational(7, 10),
                          lr: sp.Rational(1, 100)},
                domain={b1: sp.Interval.open(0, 1), b2: sp.Interval.open(0, 1), nu: sp.Interval.open(0, 1),
                        lr: sp.Interval.open(0, sp.oo)})
