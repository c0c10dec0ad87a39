"""A user's number as an exact rational: ``"0.9" -> 9/10``, never a float, never sympified text.

The bottom of the core: declarations (:func:`equivalences.declare.parse_setting`) and the algebra both read
numbers through :func:`exact`.
"""
from __future__ import annotations

import re
from fractions import Fraction

import sympy as sp


class NotExact(ValueError):
    """A number that cannot be made an exact rational (nan, inf, text)."""


def exact(value) -> sp.Expr:
    """A user-typed number as an exact sympy number: ``"0.9" -> 9/10``.

    Floats are converted through their shortest decimal representation, so
    ``0.9`` becomes ``9/10``, not the binary approximation.
    """
    if isinstance(value, sp.Basic):
        if value.has(sp.Float):
            return value.xreplace({f: sp.Rational(str(f)) for f in value.atoms(sp.Float)})
        return value
    if isinstance(value, bool):
        raise NotExact(f"{value!r} is not a number")
    if isinstance(value, int):
        return sp.Integer(value)
    text = str(value).strip()
    if not _NUMBER.fullmatch(text):
        raise NotExact(f"{value!r} is not a finite number (write e.g. 0.9, 9/10 or 1e-3; "
                       "exponents up to e+-999)")
    try:
        frac = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise NotExact(f"{value!r} is not a finite number (write e.g. 0.9, 9/10 or 1e-3)") from None
    return sp.Rational(frac.numerator, frac.denominator)


# The only text a user's number may be: a decimal with an exponent of at most three digits (so that
# "1e999999999" cannot ask for a billion-digit integer), or a fraction of integers. Never sympify.
_NUMBER = re.compile(r"[+-]?(\d{1,400}(\.\d{0,400})?|\.\d{1,400})([eE][+-]?\d{1,3})?|[+-]?\d{1,400}/\d{1,400}")
