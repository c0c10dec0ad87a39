"""The gradient response of the unrolled trajectory: an independent, exact second decision on every verdict.

The derivation (:mod:`equivalences.derive`, :mod:`equivalences.trajectory`) reasons about the declaration
symbolically, in ``t``.  This package does not share its assumptions, its step system or its algebra: it
*runs* the declaration as written -- its updates in the authors' order, its definitions, its start -- at
exact rational values (every constant, every schedule value at every step ``t0 .. T``), with a free symbol
``u_k`` for each gradient.  The query point's increments are then linear forms

    q_(k+1) - q_k = -( sum_(s <= k) H[k, s] u_s  +  sum_sigma H[k, sigma] sigma )        (sigma: start symbols)

(for a step ``-K_k Post_k(D_k)`` the row is ``D_k``: a row scale changes nothing below).  Eq. (1) with any
coefficients -- zeros included, so restarts (``beta = 0``) and idle steps (``eta = 0``) -- gives

    H[k, k] = eta_k + alpha_k  (free),     H[k, s] = eta_k prod_(j = s+1 .. k) beta_j   (s < k),

and the start acts through ``m_a(t0 - 1)``: every start column is a multiple of ``eta_k prod_(j = t0..k) beta_j``.
Write the start as one extra column ``t0 - 1``.  Then, exactly and with every zero pattern:

    Eq. (1) holds on steps t0..T  <=>  for each j = t0..T: there is a scalar b_j with
        H[k, j - 1] = b_j H[k, j]   for every row k >= j + 1,   and   H[j, j - 1] = 0 where b_j is forced to 0

(``b_j = beta_j``; ``eta_k = H[k, k-1] / beta_k``).  A row that breaks it is a *witness*: a step, a gradient
term and its exact coefficient at these values, which no choice of ``beta_a, eta_a, alpha_a`` and start can
produce.  Given a derived map, the check also runs Eq. (1) with the map's coefficients at the same values and
compares every row exactly, and the averaged sequence against the map's weights.

The decision is plain linear algebra over QQ (Python's ``Fraction``); SymPy only evaluates the numbers of
each step.  Nothing numeric (torch, numpy) is imported here.
"""

from __future__ import annotations

from .points import Point, point_at, random_point
from .runs import Form, NotApplicable, Run, Undefined, ZERO, run, term_name
from .findings import Finding, decide, map_mismatch
from .checks import Check, CrossExamination, check, contradicted, cross_examine, default_steps
