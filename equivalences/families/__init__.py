"""Families beyond Eq. (1): a method's smallest family, its map there, the proof, and why no smaller family
holds it (docs/families.md).

The hierarchy, each family a value (:class:`~.family.Family`, one module each): plain SGD (:mod:`.sgd`, order 0)
< Eq. (1) (:mod:`.eq1`, the engine's verdict) < the general linear filter of order 1 < k-momentum forms
(:mod:`.momentum`, k buffers, order k) < the general linear gradient filter of order k (:mod:`.filter`).

* **Order** (:mod:`.order`): the declaration run at exact values (:func:`equivalences.response.run`); the rank of
  the blocks ``H[k >= j, s < j]`` of its gradient response bounds from below the state any family needs; a
  non-zero r x r minor is the witness against every family of order < r.
* **Map** (:mod:`.transfer`): constant coefficients: the partial fractions of the increment's transfer
  function give the buffers (a repeated pole: buffers with coefficients that move with the step), or the
  canonical realization gives the filter.
* **Proof** (:mod:`.proof`): the member with those coefficients, declared as a Method, is proved to trace the
  same query points as the method by :func:`equivalences.equivalent.equivalent`.  Nothing is claimed
  without it: "order proved, map not in closed form" otherwise.
"""
from __future__ import annotations

from .family import Family, Fit, Placement
from .order import Minor, order
from .smallest import Subject, hierarchy, place
from .transfer import increment_transfer, partial_fractions

__all__ = ["Family", "Fit", "Minor", "Placement", "Subject", "hierarchy", "increment_transfer", "order",
           "partial_fractions", "place"]
