"""Target forms as values (:class:`~.form.Form`): plain SGD (:mod:`.sgd`), Eq. (1) (:mod:`.eq1`) and the
k-momentum forms (:mod:`.momentum`), one file each; :data:`TABLE` and :func:`get` name them (docs/engine.md,
"Forms")."""
from __future__ import annotations

from . import eq1, momentum, sgd
from .form import NAMES, Coefficient, Form, Variable

EQ1 = eq1.FORM

TABLE: dict = {sgd.FORM.key: sgd.FORM, EQ1.key: EQ1}
"""The forms by key; a k-momentum form is made on request (:func:`get`)."""


def get(key: str) -> Form:
    """``eq1``, ``momentum-K``: the form of that key (one line naming the keys when there is none)."""
    if key in TABLE:
        return TABLE[key]
    head, _, k = key.partition("-")
    if head == "momentum" and k.isdigit() and int(k) >= 1:
        return momentum.form(int(k))
    raise KeyError(f"no form {key!r}: the forms are {', '.join(TABLE)} and momentum-K (K = 1, 2, ...)")


def register(form: Form) -> Form:
    """Add ``form`` to :data:`TABLE` (its names then print like Eq. (1)'s)."""
    TABLE[form.key] = form
    return form


__all__ = ["EQ1", "NAMES", "TABLE", "Coefficient", "Form", "Variable", "get", "register"]
