"""A method written as its update equations, in the notation papers use -- read by a grammar, never evaluated.

    m[t+1] = beta*m[t] + g[t];  w[t+1] = w[t] - lr*m[t+1]

:func:`parse_method` turns such a text into an ordinary :class:`~equivalences.declare.Method` (checked by
:mod:`equivalences.validate` and :class:`~equivalences.system.StepSystem` like any declaration), and
:func:`module_source` writes the equivalent Python declaration.  The notation (docs/declaring-a-method.md,
"A method in one line"):

* equations are separated by ``;`` or new lines; ``#`` starts a comment;
* ``x[t+1] = ...`` (or ``x' = ...``) updates the state ``x``; ``x[t] = ... x[t-1] ...`` is the same update
  written one step later (Eq. (1)'s ``m_t = beta m_(t-1) + g_t``); ``y[t] = ...``, ``y = ...`` or
  ``define y[t] = ...`` defines ``y`` from the state (a bare state name means it at step ``t``);
* a right side reads states at ``t``, at ``t+1`` once updated, and at ``t-1`` (kept as an extra state
  ``x_prev``); ``g[t]`` (``g[t-1]``) is the gradient at the query point, ``grad(P)`` / ``grad_f(P)`` /
  ``∇f(P)`` the gradient at the point ``P`` (which makes ``P`` the query point);
* any other name is a constant, or a schedule when it is indexed (``c[t+1]``); numbers are exact
  (``0.9`` is 9/10); ``^`` and ``**`` are powers; a space or ``*`` multiplies; ``sqrt``, ``min``, ``max``;
* clauses: ``query = y``, ``evaluate = x``, ``start: w[1] = theta0, m[1] = 0`` and
  ``with beta = 0.9, eta[t] = 1/t`` (values; ``--set`` gives the same from the command line).

The start, when not given: a state that moves with the iterate (a *point*) starts at ``theta0`` and a
velocity or momentum at 0 -- the points are the one set of states that makes the method invariant under a
shift of every point by the same vector, the query point among them (see :func:`_points`).  SymPy only.
"""

from __future__ import annotations

from .errors import EquationError
from .tokens import FUNCTIONS, GRADIENTS, GREEK, KEYWORDS, MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, SEPARATORS, THETA0
from .parse import parse_method, read_text
from .source import module_source

__all__ = ["EquationError", "parse_method", "module_source", "read_text"]
