"""The inverse of a map: from the coefficients of Eq. (1) back to a method's own hyperparameters.

A method's derived map (:func:`equivalences.derive.derive`) sends its constants and schedules to
the coefficient sequences of Eq. (1).  Two methods trace the same query points from the same start,
for every gradient sequence, exactly when their accelerated forms coincide::

    K_t eta_a,t   (TO) = K_t eta_a,t   (target)     every t >= t0     (weight on m_a,t)
    K_t alpha_a,t (TO) = K_t alpha_a,t (target)     every t >= t0     (extra weight on u_t)
    beta_a,t      (TO) = beta_a,t      (target)     every t >= t0 + 1 (older gradients)
    beta_a,t0 m_init (TO) = beta_a,t0 m_init (target)                 (the start)
    gamma_avg,t   (TO) = gamma_avg,t   (target)     every t >= t0 + 1 (when both average)

(the weight of ``g_s`` in step ``t`` is ``K_t eta_a,t beta_a,t ... beta_a,s+1`` for ``s < t`` and
``K_t (eta_a,t + alpha_a,t)`` for ``s = t``; where ``K_t eta_a,t != 0`` these are the equations above).
A linear ``Post`` (a diagonal preconditioner) commutes with ``K_t``, so only the products
``K eta_a`` and ``K alpha_a`` count; ``sign`` is positively homogeneous, so there ``K_t`` must match
and ``(eta_a, alpha_a)`` only up to a positive factor per step (``eta_a alpha_a' = alpha_a eta_a'``).
Both sides must apply the same transforms: same kind, same position (``Pre``/``Post``), the same
input and the same parameters (those become equations too).

This module solves these equations for the TO method's unknowns (its constants and its schedule
values), exactly, with sympy.  It never imports numeric code.

API (stable)
------------
``Target``
    The coefficient sequences to produce.  Build it with

    * ``Target.of_method(method, mp=None)`` -- a method's own map (``mp`` defaults to
      ``derive(method)``): the *symbolic* mode.  The target's expressions may use that method's
      constants and schedules; solutions come out as exact expressions of them and of ``t``.
    * ``Target.sequences(beta_a, eta_a, alpha_a, *, t0, gamma_avg=None, K=None, m_init=0, post=None,
      pre=None)`` -- the *numeric* mode: each sequence is ``{step: number}`` (ints, exact
      ``Rational``/``Fraction`` or floats) for the steps ``t0 .. t0 + T - 1``; ``K`` defaults to 1.

``invert(method, target, *, mp=None) -> Inverse``  (symbolic mode)
    Solve ``method``'s map = ``target``.  ``Inverse`` fields:

    * ``method``: the TO method's key; ``exists``: ``"always" | "conditional" | "never"``;
    * ``constants``: ``{name: sympy expr}`` -- the TO constants, in the target's parameters (and in
      ``t`` when the value must be the same for every ``t``: a condition says so);
    * ``schedules``: ``{name: sympy expr of t}`` -- the TO schedule at the TO method's step ``t``;
    * ``conditions``: ``[Condition]``; each has ``text`` and ``kind``: ``"identity"`` (``expr = 0``
      for every ``t >= start``), ``"constant"`` (``expr`` takes the same value at every
      ``t >= start``), ``"domain"`` (``expr`` lies in ``domain``) or ``"recurrence"`` (``expr = 0`` has a
      solution in TO's remaining schedules);
    * ``reason``: with ``"never"``, which coefficient the method cannot produce and why;
    * ``chosen``: unknowns the equations leave free, each fixed to a neutral value (``{name: value}``);
    * ``free``: TO's hyperparameters no equation constrains (any value works; the formulas may use them),
      ``{name: the method's declared default or None}``;
    * ``recurrence``: True when the equations tie TO's schedules across steps; the formulas then use
      those schedules and a ``"recurrence"`` condition asks for a solution of what is left;
    * ``branch``: constants with a finite domain fixed up front on this branch (``{"nesterov": 1}``);
    * ``notes_other``: where the target has a constant of finite domain and the answer depends on its value,
      the answer at its other values (text);
    * ``alternatives``: the other branches considered (e.g. ``nesterov = 0``), as ``Inverse`` objects;
    * ``offset``: TO step = target step - ``offset`` (``t0`` of the target minus ``t0`` of TO).

``invert_sequences(method, target, *, mp=None, tolerance=None) -> SequenceMatch``  (numeric mode)
    Never raises on a method it cannot match.  ``SequenceMatch`` fields: ``method``, ``matched``
    (bool), ``misfit`` (max over steps and coefficients of ``|TO - target| / max(|TO|, |target|)``,
    float, ``inf`` when no candidate), ``constants`` ``{name: value}``, ``schedules``
    ``{name: {step: value}}`` (TO's own steps, only where the target determines them), ``reason`` (why
    not matched), ``exists``/``conditions`` of the generic symbolic solve, ``chosen``.
    ``tolerance`` defaults to 0 for exact targets and ``1e-9`` for float ones.

``structure_mismatch(method, mp, target) -> str | None``
    The preconditioner/sign rule alone: a sentence when the transforms differ in kind, position or
    input, else ``None``.

Every solution is checked against ``method.domain`` (constants; a schedule whose default is a
bounded parameter inherits its domain): a value outside it makes that branch fail, with the reason;
a symbolic value that cannot be decided becomes a ``"domain"`` condition.
"""
from __future__ import annotations

from .branches import invert
from .declared import schedule_domain
from .forms import _rational_form, nice
from .sequences import invert_sequences
from .solution import Condition, Inverse, SequenceMatch, set_text, show
from .structure import structure_mismatch
from .target import K_a, Target
from .sequences import forget_targets

__all__ = ["Target", "Condition", "Inverse", "SequenceMatch", "invert", "invert_sequences", "structure_mismatch",
           "schedule_domain", "K_a"]
