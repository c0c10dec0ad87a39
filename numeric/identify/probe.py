"""Drive a torch optimizer through ``p.grad`` only, on one float64 parameter of D independent coordinates.

A probe is a gradient table ``G`` of shape ``(T, D)`` (row ``k`` is fed at step ``k``) and a start ``p0``;
it records the query points ``Q[k]`` (the parameter when gradient ``k`` is read, ``Q[T]`` after the last
step) and, when the class has an evaluation mode (``eval()``/``train()``, as Schedule-Free), the
evaluation points ``E[k]`` read the way users get them: ``opt.eval()``, read ``p``, ``opt.train()``.
No loss and no closure is used; a class that insists on one is reported, not worked around.
"""
from __future__ import annotations

import contextlib
import importlib
import inspect
from dataclasses import dataclass, field

import numpy as np
import torch


EAGER_SWITCHES = {"heavyball": ("heavyball.utils", "compile_mode", None)}
"""Libraries whose steps call ``torch.compile(fullgraph=True)`` themselves (which fails with dynamo disabled):
their own switch to eager mode, set for the duration of a probe and restored."""


class ProbeError(Exception):
    """The class could not be driven: ``kind`` is one of construction, closure, hessian, cuda, shape, step."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class TargetError(ValueError):
    """A user's TARGET is not an importable optimizer class (one line, exit 2)."""


def load_class(target: str):
    """``pkg.module.Class`` (or ``pkg.Class``) -> the class; TargetError otherwise. Only imports ``pkg.module``."""
    text = target.strip()
    if "." not in text or not all(part.isidentifier() for part in text.split(".")):
        raise TargetError(f"{target!r} is not an importable name: write package.Class, e.g. torch.optim.SGD")
    module_name, cls_name = text.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001 -- any import failure is the user's target, one line
        raise TargetError(f"cannot import {module_name!r} ({type(err).__name__}: {err}); "
                          "check the package is installed and the name is spelled as you import it") from None
    cls = getattr(module, cls_name, None)
    if cls is None:
        raise TargetError(f"{module_name} has no attribute {cls_name!r}")
    if not (inspect.isclass(cls) and issubclass(cls, torch.optim.Optimizer)):
        raise TargetError(f"{text} is not a torch.optim.Optimizer subclass")
    return cls


def constructor_defaults(cls) -> dict:
    """The keyword defaults of ``cls.__init__`` (what 'default settings' means)."""
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return {}
    return {k: v.default for k, v in sig.parameters.items()
            if k not in ("self", "params") and v.default is not inspect.Parameter.empty
            and v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)}


def required_arguments(cls) -> list[str]:
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return []
    return [k for k, v in sig.parameters.items() if k not in ("self", "params")
            and v.default is inspect.Parameter.empty and v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)]


@dataclass
class Trajectory:
    q: np.ndarray  # (T + 1, D) query points
    e: np.ndarray | None  # (T + 1, D) evaluation points, when the class has an evaluation mode


def _classify(err: Exception) -> ProbeError:
    text = f"{type(err).__name__}: {err}".replace("\n", " ")
    low = text.lower()
    if "closure" in low:
        kind = "closure"
    elif "hessian" in low or "create_graph" in low or "hvp" in low or "does not require grad" in low:
        # a gradient without a graph: the step differentiates it again (Hessian-vector products)
        kind = "hessian"
    elif "cuda" in low or "triton" in low:
        kind = "cuda"
    else:
        kind = "step"
    return ProbeError(kind, text[:300])


@dataclass
class Driver:
    """Builds ``cls([p], **kwargs)`` afresh for every probe."""

    cls: type
    kwargs: dict = field(default_factory=dict)
    rows: int = 1
    """The parameter is a vector (1) or a ``rows x D/rows`` matrix: the same D coordinates, row-major (classes
    that treat matrices differently: LARS's trust ratio, Shampoo, Muon)."""

    def build(self, p):
        """``cls([p])`` (or ``cls(p)`` for a list of parameters), in training mode where it has one."""
        try:
            opt = self.cls(p if isinstance(p, list) else [p], **self.kwargs)
        except Exception as err:  # noqa: BLE001 -- a class that raises at construction is a census finding
            raise ProbeError("construction", f"{type(err).__name__}: {err}".replace("\n", " ")[:300]) from None
        train = getattr(opt, "train", None)
        has_eval = callable(getattr(opt, "eval", None)) and callable(train)
        if has_eval:
            train()
        return opt, has_eval

    def run(self, G: np.ndarray, p0: np.ndarray | None = None) -> Trajectory:
        """Eagerly (``torch.compile`` switched off for the probe: compiled kernels take minutes on a CPU and round
        differently from run to run of a census)."""
        with self._eager():
            return self._run(G, p0)

    def run_pair(self, G: np.ndarray, p0: np.ndarray) -> np.ndarray:
        """Two parameters given together (the first from ``p0`` fed ``G``, the second from ``p0`` reversed fed ``-G``):
        the first one's points, (T + 1, D). For a class that never moves a lone parameter (one that updates factor
        pairs)."""
        with self._eager():
            T, D = G.shape
            ps = [torch.nn.Parameter(torch.as_tensor(np.array(x), dtype=torch.float64)) for x in (p0, p0[::-1])]
            opt, _ = self.build(ps)
            q = np.empty((T + 1, D))
            try:
                for k in range(T + 1):
                    q[k] = ps[0].detach().numpy()
                    if k == T:
                        break
                    for p, sign in zip(ps, (1.0, -1.0)):
                        p.grad = sign * torch.as_tensor(G[k], dtype=torch.float64).clone()
                    opt.step()
            except Exception as err:  # noqa: BLE001
                raise _classify(err) from None
            return q

    @contextlib.contextmanager
    def _eager(self):
        import torch._dynamo

        switch = EAGER_SWITCHES.get(self.cls.__module__.split(".")[0])
        if switch is None:
            with torch._dynamo.config.patch(disable=True):
                yield
            return
        module, name, value = switch
        mod = importlib.import_module(module)
        saved = getattr(mod, name)
        setattr(mod, name, value)
        try:
            yield
        finally:
            setattr(mod, name, saved)

    def _run(self, G: np.ndarray, p0: np.ndarray | None) -> Trajectory:
        T, D = G.shape
        shape = (D,) if self.rows == 1 else (self.rows, D // self.rows)
        p = torch.nn.Parameter((torch.zeros(D, dtype=torch.float64) if p0 is None
                                else torch.as_tensor(p0, dtype=torch.float64).clone()).reshape(shape))
        opt, has_eval = self.build(p)
        q = np.empty((T + 1, D))
        e = np.empty((T + 1, D)) if has_eval else None
        grads = torch.as_tensor(G, dtype=torch.float64)
        try:
            for k in range(T + 1):
                q[k] = p.detach().reshape(-1).numpy()
                if has_eval:
                    opt.eval()
                    e[k] = p.detach().reshape(-1).numpy()
                    opt.train()
                if k == T:
                    break
                p.grad = grads[k].clone().reshape(shape)
                opt.step()
        except Exception as err:  # noqa: BLE001
            raise _classify(err) from None
        return Trajectory(q, e)


# -- gradient designs ----------------------------------------------------------------------------


def gaussian(T: int, D: int, seed: int, scale: float = 1.0) -> np.ndarray:
    """Independent N(0, scale^2) gradients: generic, so D coordinates give D independent equations per step."""
    return scale * np.random.default_rng(seed).standard_normal((T, D))


def signs(T: int, D: int, seed: int, magnitude: float) -> np.ndarray:
    """``magnitude * (+-1)``: every coordinate sees the same |g| at every step, so any preconditioner built from
    the magnitudes (an Adam-type second moment) is the same number on every coordinate and the response is
    linear in the signs."""
    return magnitude * np.where(np.random.default_rng(seed).random((T, D)) < 0.5, -1.0, 1.0)
