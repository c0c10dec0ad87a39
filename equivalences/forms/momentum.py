"""The k-momentum form, k buffers (k a parameter), as a :class:`~.form.Form`::

    m^(i)(t) = beta^(i)(t) m^(i)(t - 1) + u(t)                       i = 1..k
    w(t + 1) = w(t) - sum_i eta^(i)(t) m^(i)(t) - alpha(t) u(t)

with coefficients that may move with the step.  Eq. (1) is its k = 1 member (``alpha`` the weight on ``u``).  A
map onto it binds ``w`` to the method's query point and each ``m^(i)`` to an expression in the method's state
at ``t`` and ``u(t)``, each started from ``m^(i)(t0 - 1)``.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..symbols import t, u
from .form import Coefficient, Form, Variable


def beta(i: int):
    return sp.Function(f"beta^({i})")


def eta(i: int):
    return sp.Function(f"eta^({i})")


alpha = sp.Function("alpha^(u)")
"""The weight on ``u(t)`` (JSON key ``alpha``); named apart from any method's ``alpha``."""


def buffer(i: int):
    return sp.Function(f"m^({i})")


iterate = sp.Function("w^(k)")


@lru_cache(maxsize=None)
def form(k: int) -> Form:
    if k < 1:
        raise ValueError(f"a k-momentum form has k >= 1 buffers, not {k}")
    ms = [buffer(i) for i in range(1, k + 1)]
    coeffs = []
    for i in range(1, k + 1):
        coeffs.append(Coefficient(beta(i), (f"β^({i})", ""), (rf"\beta^{{({i})}}", ""), f"beta^({i})"))
        coeffs.append(Coefficient(eta(i), (f"η^({i})", ""), (rf"\eta^{{({i})}}", ""), f"eta^({i})"))
    coeffs.append(Coefficient(alpha, ("α", ""), (r"\alpha", ""), "alpha"))
    w = iterate
    updates = tuple(sp.Eq(mi(t), beta(i)(t) * mi(t - 1) + u(t)) for i, mi in enumerate(ms, 1))
    updates += (sp.Eq(w(t + 1), w(t) - sum(eta(i)(t) * mi(t) for i, mi in enumerate(ms, 1)) - alpha(t) * u(t)),)
    return Form(
        key=f"momentum-{k}",
        title=f"{k}-momentum form",
        coefficients=tuple(coeffs),
        iterate=Variable(w, ("w", ""), ("w", "")),
        buffers=tuple(Variable(mi, (f"m^({i})", ""), (rf"m^{{({i})}}", "")) for i, mi in enumerate(ms, 1)),
        updates=updates,
        recursion_names=tuple(f"momentum recursion m^({i})" for i in range(1, k + 1)),
        start_names=tuple(f"initial state m^({i})" for i in range(1, k + 1)),
        summary=f"m^(i)_t = beta^(i)_t m^(i)_(t-1) + u_t (i = 1..{k}), "
                "w_(t+1) = w_t - sum_i eta^(i)_t m^(i)_t - alpha_t u_t",
        change_of_variables="w(t) = q(t), the query point; each m^(i)(t) an expression in the method's state at t "
                            "and u(t); m^(i)(t0 - 1) its start",
    )
