"""``verify identify --plot PATH``: the identified coefficient sequences beside each matched method's map."""
from __future__ import annotations

import os

import numpy as np

from numeric.plots import PlotUnavailable, _pyplot, check_suffix

NAMES = (("beta_a", "beta_a"), ("eta_a", "eta_a"), ("alpha_a", "alpha_a"), ("gamma_avg", "gamma_avg"))


def plot(res, path: str) -> str:
    """Write the figure (format by suffix) atomically; PlotUnavailable when there is nothing to plot."""
    from equivalences.files import atomic_path

    fmt = check_suffix(path)
    if res.eq is None and res.step_size is None:
        raise PlotUnavailable(f"--plot {path}: {res.target} has no identified coefficients ({res.verdict})")
    plt = _pyplot()
    coeffs = res.coefficients()
    panels = [(k, label) for k, label in NAMES if coeffs.get(k) is not None]
    if res.step_size is not None:
        panels = [("K_t", "step size K_t")]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.2), constrained_layout=True,
                             squeeze=False)
    for ax, (key, label) in zip(axes[0], panels):
        if key == "K_t":
            values = np.asarray(res.step_size, dtype=float)
        else:
            values = np.array([np.nan if v is None else v for v in coeffs[key]], dtype=float)
        steps = np.arange(len(values))
        ax.plot(steps, values, "o-", ms=4, lw=1.4, label="identified (probing)")
        for method, seqs in res.map_sequences.items():
            if key in seqs:
                y = np.asarray(seqs[key], dtype=float)[:len(values) - 1]  # the last step: see match.py
                ax.plot(steps[:len(y)], y, "x--", ms=6, lw=1.0, label=f"{method}'s map")
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.set_xlabel("step k = t - t0")
        ax.set_title(label)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(f"{res.target}: {res.verdict}", fontsize=9)
    with atomic_path(path, "--plot") as tmp:
        fig.savefig(tmp, format=fmt, dpi=120, metadata={"CreationDate": None} if fmt == "pdf" else None)
    plt.close(fig)
    return os.path.abspath(path)
