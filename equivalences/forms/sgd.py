"""Plain (preconditioned) SGD as a :class:`~.form.Form`, order 0 (no buffer)::

    w(t + 1) = w(t) - alpha(t) u(t)

A map onto it binds ``w`` to the method's query point; nothing else is carried between steps.
"""
from __future__ import annotations

import sympy as sp

from ..symbols import t, u
from .form import Coefficient, Form, Variable

alpha = sp.Function("alpha^(u)")
"""The step on ``u(t)`` (JSON key ``alpha``), the same name as the k-momentum form's weight of ``u``."""
w = sp.Function("w^(k)")

FORM = Form(
    key="sgd",
    title="plain (preconditioned) SGD",
    coefficients=(Coefficient(alpha, ("α", ""), (r"\alpha", ""), "alpha"),),
    iterate=Variable(w, ("w", ""), ("w", "")),
    buffers=(),
    updates=(sp.Eq(w(t + 1), w(t) - alpha(t) * u(t)),),
    summary="w(t+1) = w(t) - alpha_t u_t",
    change_of_variables="w(t) = q(t), the query point; no buffer",
)
