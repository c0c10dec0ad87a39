"""Fails while importing."""
import sympy as sp

METHOD = sp.Symbol("x") / undefined_name  # noqa: F821
