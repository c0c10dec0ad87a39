"""The general linear gradient filter of order k: a state ``x`` of dimension k,
``x_(t+1) = A_t x_t + B_t u_t``, ``w_(t+1) = w_t - C_t x_t - D_t u_t`` -- a minimal state-space realization of
the gradient response, the last resort.  For constant coefficients the map is the controllable canonical
realization of ``F(z) = D + N(z)/A(z)`` (``A`` monic of degree k): ``x^(i)_(t+1) = x^(i+1)_t`` (i < k),
``x^(k)_(t+1) = -sum_i a_(i-1) x^(i)_t + u_t``, ``w_(t+1) = w_t - D u_t - sum_i n_(i-1) x^(i)_t``; its
coefficients are rational in the hyperparameters whatever the poles are, and it is proved like every map."""
from __future__ import annotations

import sympy as sp

from ..declare import state
from ..symbols import g, t
from .family import Family, Fit
from .proof import member, prove
from .transfer import z


def realization(F, k: int):
    """``(D, [n_0..n_(k-1)], [a_0..a_(k-1)])`` of ``F = D + N/A``, or None when ``F``'s degree is not ``k``."""
    num, den = sp.fraction(sp.cancel(sp.together(F)))
    A = sp.Poly(den, z)
    if A.degree() != k:
        return None
    lc = A.LC()
    A = sp.Poly(sp.expand(den / lc), z)
    D, N = sp.div(sp.Poly(sp.expand(num / lc), z), A)
    a = [sp.factor(A.coeff_monomial(z ** i)) for i in range(k)]
    n = [sp.factor(N.coeff_monomial(z ** i)) for i in range(k)]
    return sp.factor(D.as_expr()), n, a


def declare(method, key: str, D, n: list, a: list):
    k = len(a)
    w, *xs = state("w " + " ".join(f"x{i + 1}" for i in range(k)))
    ups = [sp.Eq(xs[i](t + 1), xs[i + 1](t)) for i in range(k - 1)]
    ups.append(sp.Eq(xs[-1](t + 1), -sum(a[i] * xs[i](t) for i in range(k)) + g(t)))
    ups.append(sp.Eq(w(t + 1), w(t) - D * g(t) - sum(n[i] * xs[i](t) for i in range(k))))
    return member(method, key, (w, *xs), ups, f"a linear gradient filter of order {k}")


def coefficients(D, n: list, a: list) -> dict:
    out = {"D": D}
    out.update({f"n_{i}": v for i, v in enumerate(n)})
    out.update({f"a_{i}": v for i, v in enumerate(a)})
    return out


def family(k: int) -> Family:
    def fit(s) -> Fit:
        if s.F is None:
            return Fit(None, "order proved, map not in closed form (coefficients that move with the step)")
        got = realization(s.F, k)
        if got is None:
            return Fit(None, f"F(z) has degree {sp.degree(sp.denom(sp.cancel(s.F)), z)}, not {k}")
        return prove(s.method, declare(s.method, f"filter-{k}", *got), coefficients(*got))

    return Family(f"filter-{k}", f"general linear gradient filter of order {k}", k,
                  f"x_(t+1) = A_t x_t + B_t u_t (dim x = {k}), w_(t+1) = w_t - C_t x_t - D_t u_t; the map in "
                  "canonical form: x^(i)_(t+1) = x^(i+1)_t (i < k), x^(k)_(t+1) = -sum_i a_(i-1) x^(i)_t + u_t, "
                  "w_(t+1) = w_t - D u_t - sum_i n_(i-1) x^(i)_t", fit)
