"""Plots of a replay: ``verify NAME --plot out.png`` (or ``.pdf``).

Left: a few coordinates of the query point, the method's ``q_t`` (solid) and
the accelerated form's ``w_a,t`` (dashed) on top of each other.  Right: the
relative deviation per step on a log scale, against the tolerance, with the
negative control (the map one index off) for comparison.  matplotlib is an
optional dependency (``pip install -e '.[plot]'``) imported only here, when a
plot is asked for.
"""
from __future__ import annotations

import os

import numpy as np

FORMATS = (".png", ".pdf")


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed, or the report has nothing to plot; the message says what to do."""


def check_suffix(path: str, flag: str = "--plot") -> str:
    """The format of ``path`` (``png`` or ``pdf``) from its suffix; any other suffix is a one-line error."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in FORMATS:
        raise PlotUnavailable(f"{flag} {path}: unknown format {ext or '(no suffix)'}; name the file .png or .pdf")
    return ext[1:]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise PlotUnavailable("plots need matplotlib: pip install 'optimizer-equivalences[plot]' "
                              "(or pip install matplotlib)") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def figure_data(report, coords: int = 3, dim: int = 32) -> dict:
    """Trajectories and per-step deviations of the report's replay (run again with the same settings, keeping
    the path; ``dim`` is the replay's ``--dim``, which the report does not record)."""
    import torch

    from equivalences.derivation import system_of
    from numeric.compile import Config
    from numeric.problems import make
    from numeric.replay import replay

    n = report.numeric
    if n is None:
        raise PlotUnavailable("a plot needs the numeric replay; drop --no-numeric")
    if n.result.max_rel_deviation.shape[0] != 1:
        raise PlotUnavailable("a plot shows one configuration; drop --sweep/--grid")
    r, method = n.result, report.method
    dtype = getattr(torch, r.dtype)
    problem = make(n.problem, dim, seed=n.seed, dtype=dtype, device=r.device)
    again = replay(method, report.map, steps=r.steps, cfg=Config.from_method(method, report.overrides),
                   dtype=dtype, device=r.device, problem=problem, system=system_of(method),
                   keep_trajectories=True, sensitivity=False)
    q, w = again.trajectories["q"], again.trajectories["w"]
    pick = np.argsort(-np.abs(q).max(axis=0), kind="stable")[:coords]  # the coordinates that move the most
    return {"steps": np.arange(method.t0, method.t0 + r.steps), "q": q[:, pick], "w": w[:, pick], "coords": pick,
            "deviation": r.trace, "deviation_eval": r.trace_eval, "control": n.control.trace,
            "control_name": n.control_name, "tolerance": r.tolerance, "eps": r.eps}


def plot(report, path: str, *, coords: int = 3, dim: int = 32) -> str:
    """Write the figure for ``report`` to ``path`` (format by suffix), atomically; returns the path."""
    from equivalences.files import atomic_path
    from equivalences.prose_tex import math_text

    fmt = check_suffix(path)
    plt = _pyplot()
    data = figure_data(report, coords, dim)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    steps = data["steps"]
    for j, c in enumerate(data["coords"]):
        left.plot(steps, data["q"][:, j], lw=1.6, label=f"method, coordinate {c}")
        left.plot(steps, data["w"][:, j], ls="--", lw=1.2, color="black", alpha=0.8,
                  label="accelerated form (Eq. (1))" if j == 0 else None)
    left.set_xlabel("step $t$")
    left.set_ylabel("query point")
    left.set_title(math_text(f"{report.method.name}: query points"), fontsize=9)
    left.legend(fontsize=7, loc="best")

    floor = data["eps"] / 16  # exact agreement (0) drawn at the floor of the log scale
    show = lambda d: np.maximum(np.asarray(d, dtype=float), floor)  # noqa: E731
    right.semilogy(steps, show(data["deviation"]), lw=1.2, label="derived map: query points")
    if data["deviation_eval"] is not None:
        right.semilogy(steps, show(data["deviation_eval"]), lw=1.0, label="derived map: evaluation points")
    right.semilogy(steps, show(data["control"]), lw=1.2, color="tab:red", label="negative control")
    right.axhline(data["tolerance"], color="black", ls=":", lw=1, label=f"tolerance {data['tolerance']:.1e}")
    right.set_xlabel("step $t$")
    right.set_ylabel("relative deviation")
    control = data["control_name"].split(":")[0]  # the perturbation, without the expressions it swaps
    right.set_title(math_text(f"relative deviation; negative control: {control}"), fontsize=8)
    right.legend(fontsize=7, loc="best")
    with atomic_path(path, "--plot") as tmp:
        fig.savefig(tmp, format=fmt, dpi=120, metadata={"CreationDate": None} if fmt == "pdf" else None)
    plt.close(fig)
    return os.path.abspath(path)
