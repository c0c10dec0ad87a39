import os

import pytest
import torch

# Tests derive afresh: the on-disk cache of derivations is off unless a test turns it on (tests/test_cache.py).
os.environ["OPTIMIZER_EQUIVALENCES_CACHE"] = "off"


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU here")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line("markers", "cuda: needs a CUDA GPU (skipped without one)")


@pytest.fixture(scope="session")
def derivations():
    """Every registered method's derivation (system, map, proof, claims), built once per test session."""
    from equivalences import registry
    from equivalences.derivation import derivation

    return {name: derivation(name) for name in registry.names()}
