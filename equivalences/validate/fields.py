"""The fields' types, checked before any name is read: the texts and ``t0``, the containers (tuples and dicts,
keys never text), and that ``pre`` and ``posts`` hold :class:`~equivalences.declare.Transform` objects."""
from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from ..declare import Method, Transform
from .problem import _fail, _kind, _show


def _texts(method: Method):
    key = method.key
    if not isinstance(key, str) or not key.strip() or any(c.isspace() for c in key):
        _fail(f"key {key!r}: give a short name without spaces, e.g. key='my-method' (it is the name on the "
              "command line)")
    for field in ("name", "reference", "section", "summary", "paper_setting_text"):
        if not isinstance(getattr(method, field), str):
            _fail(f"{field} is a {type(getattr(method, field)).__name__}; write it as text (a str)")
    if isinstance(method.t0, bool) or not isinstance(method.t0, (int, sp.Integer)):
        _fail(f"t0 = {_show(method.t0)} ({type(method.t0).__name__}): the first step is an integer, e.g. t0=1")


def _containers(method: Method):
    sequences = {"state": "a tuple of state functions, e.g. state=(z, x)",
                 "updates": "a tuple of sp.Eq(s(t + 1), ...)", "constants": "a tuple of sympy Symbols, e.g. (beta,)",
                 "schedules": "a tuple of sympy functions, e.g. (gamma,)", "posts": "a tuple of Transform",
                 "claims": "a tuple of Claim", "notes": "a tuple of str"}
    for field, how in sequences.items():
        value = getattr(method, field)
        if not isinstance(value, (tuple, list)):
            _fail(f"{field} is a {type(value).__name__}, not a tuple; write {how} (note the comma in (x,))")
    for field in ("init", "define", "defaults", "domain", "paper_setting"):
        value = getattr(method, field)
        if not isinstance(value, Mapping):
            _fail(f"{field} is a {type(value).__name__}; write a dict, e.g. {field}={{...}}")
        for k in value:
            if isinstance(k, str):
                _fail(f"{field} key {k!r} is given as text; use the sympy symbol or function itself -- "
                      "text is never evaluated")
    if not all(isinstance(n, str) for n in method.notes):
        _fail("notes: every note is a str")


def _transform_types(method: Method):
    if method.pre is not None and not isinstance(method.pre, Transform):
        _fail(f"pre is {_kind(method.pre)}; give a Transform(name, kind) or leave it out")
    for tr in method.posts:
        if not isinstance(tr, Transform):
            _fail(f"posts: {_kind(tr)} is not a Transform; write posts=(Transform('P', 'adam', {{...}}),)")
