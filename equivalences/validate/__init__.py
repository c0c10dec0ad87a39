"""Check a :class:`~equivalences.declare.Method` field by field before any work is done on it.

Every later stage assumes a well-formed declaration: the step system solves the updates, the
derivation reads the query point, the replay needs a number for every constant and schedule and a
multiple of ``theta_0`` for every start value.  A user's declaration that breaks one of these
assumptions would otherwise surface as a crash deep inside SymPy or numpy.  :func:`check` raises
:class:`DeclarationProblem` with one line: the field, what is wrong, and how to fix it.

Only types and names are checked here (and that each default lies in its declared domain); whether
the updates *solve* is :class:`~equivalences.system.StepSystem`'s job.  SymPy only.

The checks live by concept: :mod:`.problem` (the error, and how a value is read and shown), :mod:`.fields`
(the fields' types), :mod:`.names` (what the names refer to, and that expressions use declared ones),
:mod:`.updates` (calls, transforms, definitions, updates, points, start values), :mod:`.defaults` (defaults,
domains, the paper's setting) and :mod:`.claims`.
"""
from __future__ import annotations

from ..declare import Method
from .claims import _claims
from .defaults import _defaults, _domain, _paper_setting
from .fields import _containers, _texts, _transform_types
from .names import RESERVED, _names  # noqa: F401 -- RESERVED: where importers find it
from .problem import DeclarationProblem, set_text  # noqa: F401 -- where importers find them
from .updates import _calls, _define_and_updates, _init, _points, _transforms


def check(method: Method) -> None:
    """Raise :class:`DeclarationProblem` at the first malformed field of ``method``."""
    _texts(method)
    _containers(method)
    _transform_types(method)
    names = _names(method)
    _calls(method, names)
    _transforms(method, names)
    _define_and_updates(method, names)
    _points(method, names)
    _init(method, names)
    _defaults(method, names)
    _domain(method, names)
    _paper_setting(method, names)
    _claims(method, names)
