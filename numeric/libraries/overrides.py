"""``verify NAME --against PKG.CLASS --set ARG=VALUE`` and ``verify --module FILE --against PKG.CLASS``.

``--set`` names constructor arguments of the library class (``lr``, ``momentum``, ``betas`` ...): the
class is built with its own defaults, the adapter's fixed arguments and the user's values, and the
adapter maps them to the method's hyperparameters as for its registered settings.  A value is read
exactly (:func:`equivalences.algebra.exact`), then given to the class in the type of the argument's
default (a float, an int, a bool, or a tuple written ``0.9,0.999``).

``--module`` replays a user's own declaration against the class: the adapter was written for a registry
method, so the user's method must name its hyperparameters (and transforms) the same way.
"""
from __future__ import annotations

import inspect

import sympy as sp

from equivalences.algebra import NotExact, exact
from equivalences.declare import Method
from equivalences.validate import set_text

from .driver import Adapter, Setting


class BadOverride(ValueError):
    """A ``--set`` or ``--module`` that cannot be used with this class (the message says the fix)."""


def constructor_parameters(adapter: Adapter) -> dict[str, inspect.Parameter]:
    """Keyword arguments of the class's constructor, by name."""
    sig = inspect.signature(adapter.load().__init__)
    return {k: p for k, p in sig.parameters.items() if k not in ("self", "params")
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _integer_only(param: inspect.Parameter) -> bool:
    """An argument that takes integers only: annotated ``int`` (not ``float``), or without an annotation and with
    an integer default.  (``torch.optim.SGD``'s ``momentum: float = 0`` takes floats.)"""
    note = str(param.annotation)
    if param.annotation is not inspect.Parameter.empty:
        return "int" in note and "float" not in note
    return isinstance(param.default, int) and not isinstance(param.default, bool)


def _number(name: str, raw: str) -> sp.Rational:
    try:
        return exact(raw)
    except NotExact as err:
        raise BadOverride(f"--set {name}={raw}: {err}") from None


def _value(name: str, raw: str, default, integer_only: bool = False):
    """``raw`` in the type of the argument's default."""
    if isinstance(default, bool) or (default is None and raw.strip().lower() in ("true", "false")):
        word = raw.strip().lower()
        if word not in ("true", "false", "1", "0"):
            raise BadOverride(f"--set {name}={raw}: {name} is a flag; write {name}=true or {name}=false")
        return word in ("true", "1")
    if isinstance(default, tuple):
        parts = raw.split(",")
        if len(parts) != len(default):
            raise BadOverride(f"--set {name}={raw}: {name} takes {len(default)} numbers, written "
                              f"{name}={','.join(str(d) for d in default)}")
        return tuple(_value(name, p, d) for p, d in zip(parts, default))
    value = _number(name, raw)
    if integer_only and not value.is_integer:
        raise BadOverride(f"--set {name}={raw}: {name} is an integer argument; write a whole number")
    if isinstance(default, int) and value.is_integer:
        return int(value)
    if isinstance(default, (int, float, type(None))) or default is inspect.Parameter.empty:
        return float(value)
    raise BadOverride(f"--set {name}: the argument's default is a {type(default).__name__} ({default!r}); "
                      "only numbers, flags and tuples of numbers can be set from the command line")


def user_setting(adapter: Adapter, method: Method, sets: dict[str, str]) -> Setting:
    """One :class:`Setting` from ``--set`` values, checked: known arguments, exact numbers, the class accepts
    them, and the method's constants they map to lie in its declared domain."""
    params = constructor_parameters(adapter)
    kwargs = {}
    for name, raw in sets.items():
        if name not in params:
            ours = f" ({name} is {method.key}'s name)" if method.hyperparameter(name) is not None else ""
            raise BadOverride(f"--set {name}: {adapter.target} has no argument {name!r}{ours}; with --against, --set "
                              f"names the class's constructor arguments: {', '.join(params)}")
        kwargs[name] = _value(name, raw, params[name].default, _integer_only(params[name]))
    setting = Setting("--set " + " ".join(f"{k}={v}" for k, v in sets.items()), kwargs)
    _accepted(adapter, setting)
    values, _ = adapter.to_method(adapter.arguments(setting))
    for name, value in values.items():
        sym = method.hyperparameter(name)
        dom = method.domain.get(sym) if isinstance(sym, sp.Symbol) else None
        if dom is not None and isinstance(value, (int, float)) and dom.contains(_number(name, repr(value))) is not sp.true:
            raise BadOverride(f"{setting.name}: {adapter.target} then runs {method.key} at {name} = {value}, outside "
                              f"its valid range {set_text(dom)}; pick a value in it")
    return setting


def _accepted(adapter: Adapter, setting: Setting):
    """Construct the class once: a value it refuses is the user's to fix, not a finding about the library."""
    import torch

    try:
        adapter.load()([torch.zeros(2, dtype=torch.float64, requires_grad=True)], **adapter.arguments(setting))
    except Exception as err:  # noqa: BLE001 -- the library's own check, reported in one line
        raise BadOverride(f"{setting.name}: {adapter.target} refuses it: {type(err).__name__}: {err}") from None


def fits(adapter: Adapter, method: Method) -> None:
    """A user's method can stand in for the adapter's registry method: the adapter sets hyperparameters
    and transform parameters by name, so each must exist in ``method``."""
    values, transforms = adapter.to_method(adapter.arguments(adapter.settings[0]))
    missing = [n for n in values if method.hyperparameter(n) is None]
    names = {tr.name for tr in method.transforms}
    missing += [f"transform {n}" for n in transforms if n not in names]
    if missing:
        raise BadOverride(f"--module {method.key} --against {adapter.target}: the adapter sets the hyperparameters of "
                          f"{adapter.method!r} ({', '.join(list(values) + [f'transform {n}' for n in transforms])}); "
                          f"your METHOD has no {', '.join(missing)} -- declare them under these names, or run "
                          f"verify {adapter.method} --against {adapter.target}")


def derived(method: Method):
    """``(method, system, map)`` for the driver; a user method outside Eq. (1) has no map to replay."""
    from equivalences.derive import NotInFamily, derive
    from equivalences.system import StepSystem

    system = StepSystem(method)
    try:
        return method, system, derive(method, system)
    except NotInFamily as err:
        raise BadOverride(f"--module {method.key}: not an instance of Eq. (1) ({err}); there is no map to replay "
                          "against a library class") from None
