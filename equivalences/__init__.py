"""Symbolic equivalence verifier for momentum optimizers (imports no torch).

    >>> from equivalences import verify
    >>> report = verify("schedule-free", numeric=False)
    >>> report.proved
    True
"""
from .algebra import parse
from .registry import get, names


def verify(name, **kwargs):
    """Derive, prove, check the paper and replay one method; see :func:`equivalences.app.pipeline.verify`."""
    from .app.pipeline import verify as _verify

    return _verify(name, **kwargs)


__all__ = ["verify", "get", "names", "parse"]
