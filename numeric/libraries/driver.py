"""One lockstep loop for every library adapter: a real ``torch.optim.Optimizer`` against Eq. (1).

The library optimizer owns a single float64 parameter ``p`` of shape ``(dim,)``.  At every step its
gradient is set from the shared stochastic problem (:mod:`numeric.problems`, the same noise sample)
evaluated at ``p`` -- the optimizer's own query point -- and the optimizer steps.  Beside it run two
:class:`~numeric.forms.AcceleratedForm` s built from *our* derived map of the registry method: the map
itself and its negative control (:func:`equivalences.mutants.control`), each taking its gradient at
its own point.  Library details (warmup, weight sums, bias corrections, eps placement) enter only as
the method's hyperparameters and schedules and as transform parameters; the library is never patched.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp
import torch

TOLERANCE = 1e-10
"""Relative deviation a library must stay within to count as an exact instance (float64)."""


@dataclass(frozen=True)
class Setting:
    """One way to construct the library class, and what the map should do there."""

    name: str
    kwargs: dict = field(default_factory=dict)
    expect: str = "exact"  # "exact", or "differs": a documented term the map leaves out (or a crash)
    note: str = ""  # for "differs": the term that differs
    scale: float = 1.0  # the objective is multiplied by this (e.g. to keep a clipping threshold inactive)


@dataclass(frozen=True)
class Adapter:
    """A library class and how its hyperparameters become those of a registry method.

    ``to_method(kw)`` receives every constructor argument (the library's own defaults, read from its
    signature, updated with the setting's) and returns ``(values, transforms)``: values by constant or
    schedule name of the method (numbers, or sympy expressions of ``t``), and transform parameters.
    """

    target: str  # "package.Class" as users import it
    distribution: str  # the pip name
    method: str  # registry key
    to_method: Callable[[dict], tuple[dict, dict]]
    settings: tuple[Setting, ...]
    caveat: str = ""
    fixed: dict = field(default_factory=dict)  # constructor arguments every setting passes
    evaluate: Callable | None = None  # (optimizer, p) -> the evaluation point, when it is not p
    prepare: Callable | None = None  # called once on the new optimizer (e.g. ``opt.train()``)
    context: Callable | None = None  # () -> context manager held around the run (a library's global switch)

    @property
    def package(self) -> str:
        return self.target.rsplit(".", 1)[0]

    def load(self):
        module = importlib.import_module(self.package)
        return getattr(module, self.target.rsplit(".", 1)[1])

    def version(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(self.distribution)
        except PackageNotFoundError:
            return "?"

    def arguments(self, setting: Setting) -> dict:
        """The library's defaults (from its signature) updated with ``fixed`` and the setting's arguments."""
        sig = inspect.signature(self.load().__init__)
        kw = {k: v.default for k, v in sig.parameters.items()
              if k not in ("self", "params") and v.default is not inspect.Parameter.empty
              and v.kind is v.POSITIONAL_OR_KEYWORD}
        return {**kw, **self.fixed, **setting.kwargs}


@dataclass
class SettingResult:
    adapter: Adapter
    setting: Setting
    arguments: dict
    steps: int
    deviation: float = float("nan")  # max relative deviation of query points
    deviation_eval: float | None = None  # of evaluation points, where the library has them
    control: float = float("nan")
    control_name: str = ""
    error: str | None = None  # the library raised

    @property
    def worst(self) -> float:
        return max(self.deviation, self.deviation_eval or 0.0)

    @property
    def agrees(self) -> bool:
        return self.error is None and self.worst <= TOLERANCE

    @property
    def control_rejected(self) -> bool:
        return self.error is None and not self.control <= TOLERANCE

    @property
    def as_expected(self) -> bool:
        if self.setting.expect == "exact":
            return self.agrees and self.control_rejected
        # the documented difference shows beyond rounding (64 T eps), or the library crashed
        return self.error is not None or self.worst > 64 * self.steps * float(np.finfo(np.float64).eps)


def _derived(key: str):
    from equivalences.derivation import derivation

    d = derivation(key)
    return d.method, d.system, d.map


def _config(method, values: dict, transforms: dict):
    from numeric.compile import Config

    overrides = {}
    for name, value in values.items():
        sym = method.hyperparameter(name)
        if sym is None:
            raise KeyError(f"{method.key} has no hyperparameter {name!r}")
        overrides[sym] = sp.sympify(value) if not isinstance(sym, sp.Symbol) else float(value)
    cfg = Config.from_method(method, overrides)
    cfg.transforms = {k: dict(v) for k, v in transforms.items()}
    return cfg


def run(adapter: Adapter, setting: Setting, *, steps: int = 500, dim: int = 16, seed: int = 0,
        derived: tuple | None = None) -> SettingResult:
    """Step the library optimizer and the accelerated forms (map and control) in lockstep.

    ``derived``: ``(method, system, map)`` of a user's own declaration (default: the adapter's registry method)."""
    from equivalences.mutants import control
    from numeric import stacking
    from numeric.forms import AcceleratedForm, Coefficients
    from numeric.problems import NoisyLeastSquares
    from numeric.replay import relative_deviation

    method, system, mp = derived or _derived(adapter.method)
    kw = adapter.arguments(setting)
    res = SettingResult(adapter, setting, kw, steps)
    values, transforms = adapter.to_method(kw)
    cfg = _config(method, values, transforms)
    ts = np.arange(method.t0, method.t0 + steps)
    from numeric.compile import tabulate

    def changed(a, b):  # at this run's values: a schedule shift means nothing when the schedule is constant
        with np.errstate(all="ignore"):
            x, y = tabulate(a, cfg, ts[1:]), tabulate(b, cfg, ts[1:])
        return not np.allclose(x, y, rtol=1e-6, atol=0, equal_nan=True)

    res.control_name, bad = control(mp, changed=changed)
    coeffs = Coefficients()
    forms = [AcceleratedForm(method, m, cfg, ts, coeffs, system) for m in (mp, bad)]
    has_eval = adapter.evaluate is not None and forms[0].n == 3
    width = 1  # configurations per form: the control as the second block of the map's form where it can be
    if stacking.stackable(forms[0], forms[1:]):
        _, merged, coeffs = stacking.stack(None, forms[0], forms[1:], coeffs, 1)
        forms, width = [merged], 2
    C = coeffs.stack(torch.float64, "cpu")
    problem = NoisyLeastSquares(dim, seed=seed)
    theta = problem.start(1)
    states = [f.start(theta.expand(width, -1).clone(), theta.expand(width, -1).clone()) for f in forms]
    p = theta[0].clone().requires_grad_(True)
    devs = [torch.zeros(width, dtype=torch.float64) for _ in forms]
    devs_e = [torch.zeros(width, dtype=torch.float64) for _ in forms]
    noise = problem.noise_stream(1)
    grad = lambda x, xi: setting.scale * problem.grad(x, xi)  # noqa: E731
    with adapter.context() if adapter.context is not None else contextlib.nullcontext():
        try:
            opt = adapter.load()([p], **kw)
            if adapter.prepare is not None:
                adapter.prepare(opt)
            for k in range(steps):
                ck, xi = C[k], next(noise)
                q = p.detach()[None].clone()
                e = adapter.evaluate(opt, p)[None] if has_eval else None
                for i, (f, s) in enumerate(zip(forms, states)):
                    devs[i] = torch.maximum(devs[i], torch.nan_to_num(relative_deviation(q, f.query(ck, s)),
                                                                      nan=float("inf")))
                    if e is not None:
                        devs_e[i] = torch.maximum(devs_e[i], torch.nan_to_num(relative_deviation(e, f.evaluate(ck, s)),
                                                                              nan=float("inf")))
                p.grad = grad(q, xi)[0]
                opt.step()
                states = [f.step(ck, s, grad(f.query(ck, s), xi)) for f, s in zip(forms, states)]
        except Exception as err:  # noqa: BLE001 -- a library crash is a finding, reported as such
            res.error = f"{type(err).__name__}: {err}"
            return res
    dev, dev_e = torch.cat(devs), torch.cat(devs_e)  # (2,): the map, the control
    res.deviation, res.control = float(dev[0]), float(max(dev[1], dev_e[1]))
    res.deviation_eval = float(dev_e[0]) if has_eval else None
    return res


# -- helpers shared by adapters -------------------------------------------------------------------


def sequence(name: str, table):
    """A numeric sequence as a schedule of ``t``: ``f(s) = table(n)[s]``, ``table(n)`` the values for ``t = 0..n``
    (grown on demand; a sympy implemented function)."""
    from sympy.utilities.lambdify import implemented_function

    from equivalences.symbols import t

    cache = [np.array([np.nan])]

    def f(s):
        s = np.asarray(s, dtype=np.float64)
        n = int(np.nanmax(s)) if s.size else 1
        if len(cache[0]) < n + 1:
            cache[0] = np.asarray(table(max(n, 2 * len(cache[0]))), dtype=np.float64)
        return cache[0][np.clip(s.astype(np.int64), 0, len(cache[0]) - 1)]

    return implemented_function(sp.Function(name), f)(t)


def schedule_free_c(lr: float, warmup: int, r: float, power: float):
    """Schedule-Free's averaging weight as the libraries compute it, as the schedule ``c`` of §4.1.

    Step ``k`` (0-based) of SGDScheduleFree uses ``ckp1 = w_k / sum_(i<=k) w_i`` with
    ``w_k = (k+1)^r * lr_max^power``; that step is our step ``t = k + 1``, which uses ``c_(t+1)``.
    So ``c(s) = w_(s-2) / sum``: a numeric sequence (``c(0)``, ``c(1)`` are never used).
    """
    def table(n: int):
        weight_sum, lr_max = 0.0, -1.0
        out = [float("nan"), float("nan")]
        for k in range(n):
            sched = (k + 1) / warmup if k < warmup else 1.0
            lr_max = max(lr * sched, lr_max)
            weight = ((k + 1) ** r) * (lr_max ** power)
            weight_sum = weight_sum + weight
            out.append(weight / weight_sum if weight_sum != 0 else 0.0)
        return out

    return sequence("c_lib", table)


def warmup_lr(lr: float, warmup: int):
    """``lr * min(1, t / warmup)`` (``lr`` without warmup): the step size of step ``t``."""
    from equivalences.symbols import t

    return sp.Float(lr) * (sp.Min(1, t / sp.Integer(warmup)) if warmup else 1)


def eval_mode_point(opt, p):
    """The evaluation point as users get it: ``opt.eval()``, read ``p``, ``opt.train()``."""
    opt.eval()
    x = p.detach().clone()
    opt.train()
    return x
