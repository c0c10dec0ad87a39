"""Replay plots: files written, non-empty, in the format the suffix names; clear errors otherwise."""
import sys

import pytest

pytest.importorskip("matplotlib")

from equivalences import verify  # noqa: E402
from equivalences.app.cli import main  # noqa: E402
from numeric.plots import PlotUnavailable, figure_data, plot  # noqa: E402

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-"}


@pytest.fixture(scope="module")
def report():
    return verify("schedule-free", steps=60, dim=6)


def test_figure_data_matches_the_replay(report):
    data = figure_data(report, coords=3, dim=6)
    assert data["q"].shape == data["w"].shape == (60, 3)
    assert (abs(data["q"] - data["w"]).max() <= 1e-12 * abs(data["q"]).max())  # the two forms overlay
    assert data["deviation"].max() <= data["tolerance"] < data["control"].max()
    assert data["deviation_eval"] is not None  # Schedule-Free evaluates at x_t


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_plot_files(report, tmp_path, suffix):
    path = tmp_path / f"sf{suffix}"
    plot(report, str(path), dim=6)
    data = path.read_bytes()
    assert len(data) > 5000 and data.startswith(MAGIC[suffix])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_plot_errors(report, tmp_path, monkeypatch):
    with pytest.raises(PlotUnavailable, match=r"\.png or \.pdf"):
        plot(report, str(tmp_path / "a.svg"))
    with pytest.raises(PlotUnavailable, match="--no-numeric"):
        plot(verify("heavy-ball", numeric=False), str(tmp_path / "a.png"))
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    with pytest.raises(PlotUnavailable, match=r"pip install"):
        plot(report, str(tmp_path / "a.png"))
    assert list(tmp_path.iterdir()) == []


def test_cli_plot(tmp_path, capsys):
    path = tmp_path / "hb.png"
    assert main(["heavy-ball", "--steps", "40", "--dim", "4", "--plot", str(path)]) == 0
    assert path.read_bytes().startswith(MAGIC[".png"])
    capsys.readouterr()
    for argv in (["heavy-ball", "--plot", str(tmp_path / "hb.svg")],
                 ["heavy-ball", "--no-numeric", "--plot", str(tmp_path / "x.png")],
                 ["heavy-ball", "--plot", str(tmp_path / "missing" / "x.png")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("verify: error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hb.png"]
