"""Identify a torch optimizer from the outside (issue 13; docs/identify.md).

``probe`` drives a class through ``p.grad`` with designed gradient sequences; ``fit`` solves the
three-term recurrence of the query points per step and reads Eq. (1)'s coefficients off it;
``verdict`` runs the probes and decides; ``census`` does it for every class a package exports.
"""
