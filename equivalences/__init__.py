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


def convert(from_, to, *, numeric: bool = True, steps: int = 500, **settings):
    """Hyperparameters of ``to`` that trace ``from_``'s trajectory (issue 14); ``settings`` are FROM's values
    (``beta="0.9"``), exact.  Returns the :class:`~equivalences.convert.Conversion` whose ``to_json()`` is
    what ``verify convert --json`` prints; with settings (and ``numeric``) both methods are replayed."""
    from .app.commands.convert import convert_and_replay

    return convert_and_replay(from_, to, settings, numeric=numeric, steps=steps)


__all__ = ["verify", "convert", "get", "names", "parse"]
