"""Test-wide settings: the smoke profile, no downloads, a private cache directory."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DLDNA_PROFILE", "smoke")
os.environ["DLDNA_DOWNLOAD"] = "0"  # nothing in the test suite may touch the network


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DLDNA_CACHE", str(tmp_path_factory.getbasetemp() / "dldna-cache"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
