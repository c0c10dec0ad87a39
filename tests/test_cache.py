"""The on-disk cache of derivations gives exactly what a fresh derivation gives, and only for the same
engine and the same declaration."""
import dataclasses
import json

import pytest
import sympy as sp

from equivalences import cache, registry
from equivalences.app.pipeline import verify
from equivalences.derivation import _CACHE, derivation


@pytest.fixture
def on(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMIZER_EQUIVALENCES_CACHE", str(tmp_path))
    yield tmp_path


def _fresh_json(method):
    _CACHE.pop(id(method), None)
    out = verify(method, numeric=False).to_json()
    out.pop("timings")
    return out


@pytest.mark.parametrize("name", ["schedule-free", "mars", "lion"])
def test_a_cache_hit_is_exactly_a_fresh_derivation(on, name):
    method = registry.get(name)
    first = _fresh_json(method)  # a miss: derived, proved, stored
    key = cache.key(method)
    assert (on / f"{key}.pickle").exists() and all(p.name.startswith(key) for p in on.glob("*.pickle"))
    again = _fresh_json(method)  # a hit: read back
    assert derivation(method).seconds.get("cached") is not None
    assert json.dumps(again, sort_keys=True) == json.dumps(first, sort_keys=True)
    assert derivation(method).proved and derivation(method).map.post == (registry.get(name).posts or (None,))[0]


def test_the_key_pins_the_declaration_and_the_engine(on, monkeypatch):
    hb = registry.get("heavy-ball")
    beta = hb.hyperparameter("beta")
    other = dataclasses.replace(hb, defaults={**hb.defaults, beta: sp.Rational(1, 2)})
    assert cache.key(other) != cache.key(hb)
    other_beta = sp.Symbol(beta.name, negative=True)
    renamed = dataclasses.replace(hb, constants=tuple(other_beta if s == beta else s for s in hb.constants))
    assert cache.key(renamed) != cache.key(hb)  # the same name with other assumptions is another declaration
    assert cache.key(dataclasses.replace(hb)) == cache.key(hb)
    monkeypatch.setattr(cache, "_SOURCE_DIGEST", "another engine")
    changed = cache.key(hb)
    monkeypatch.setattr(cache, "_SOURCE_DIGEST", None)
    assert cache.key(hb) != changed  # a different engine text gives a different key


def test_a_damaged_file_is_recomputed_not_trusted(on):
    method = registry.get("qhm")
    first = _fresh_json(method)
    path = on / f"{cache.key(method)}.pickle"
    path.write_bytes(b"not a pickle")
    _CACHE.pop(id(method), None)
    assert cache.load(method) is None and not path.exists()
    assert _fresh_json(method) == first


def test_each_result_is_stored_when_first_computed_and_read_back(on):
    from equivalences.app.pipeline import degenerate_json

    method = registry.get("heavy-ball")
    _CACHE.pop(id(method), None)
    d = derivation(method)
    d.proof  # noqa: B018 -- the proof only, as verify all shows it
    key = cache.key(method)
    stored = lambda: sorted(p.name[len(key):] for p in on.glob("*.pickle"))  # noqa: E731
    assert stored() == [".pickle", ".proof.pickle"]  # the degenerate sets are not classified until shown
    entries = degenerate_json(d.degenerate)
    assert ".degenerate.pickle" in stored()
    _CACHE.pop(id(method), None)
    again = derivation(method)
    assert "degenerate" in again.__dict__ and "claims" not in again.__dict__
    assert degenerate_json(again.degenerate) == entries


def test_a_degenerate_set_classified_alone_is_as_in_the_whole_list(monkeypatch):
    monkeypatch.setenv("OPTIMIZER_EQUIVALENCES_CACHE", "off")
    from equivalences.derivation import build

    d, whole = build(registry.get("schedule-free")), derivation("schedule-free").degenerate
    assert len(d.degenerate_sets) == len(whole) > 1
    for i, entry in enumerate(d.degenerate_sets):
        assert entry["factor"] == whole[i]["factor"]
        alone = d.classified(i)
        assert "degenerate" not in d.__dict__ and alone["effects"] == whole[i]["effects"]
        assert alone["kind"] == whole[i]["kind"]


def test_off_means_off(monkeypatch, tmp_path):
    monkeypatch.setenv("OPTIMIZER_EQUIVALENCES_CACHE", "off")
    assert cache.directory() is None
    method = registry.get("agnes")
    _fresh_json(method)
    assert not list(tmp_path.glob("*"))
