"""Symbolic equivalence verifier for momentum optimizers (imports no torch).

    >>> from equivalences import verify
    >>> report = verify("schedule-free", numeric=False)
    >>> report.proved
    True
"""
import sys
import types

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


def identify(target, *, steps: int = 16, dim: int = 16, match: bool = True, methods=None, **settings):
    """Probe a torch optimizer class (the class, or its import path ``"torch.optim.SGD"``) built with
    ``settings`` (``lr=0.1, momentum=0.9``): in the family of Eq. (1)? which registered method (of
    ``methods``, default all), at which values (docs/identify.md)?  Returns the
    :class:`~numeric.identify.identification.Identification` whose ``to_json()`` is what ``verify identify --json``
    prints; needs torch."""
    from .app.commands.identify import identify_and_match

    return identify_and_match(target, settings, steps=steps, dim=dim, match=match, methods=methods)


class _Package(types.ModuleType):
    """``equivalences.convert`` stays the function above once the submodule of that name is imported (Python
    would set the package's attribute to the submodule); the module is ``sys.modules["equivalences.convert"]``,
    which ``from equivalences.convert import ...`` reads."""

    def __setattr__(self, name, value):
        if name == "convert" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = ["verify", "convert", "identify", "get", "names", "parse"]
