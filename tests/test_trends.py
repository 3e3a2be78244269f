"""dldna.experiments.trends: chapter 9's trend phrases read off the comparison table."""
from __future__ import annotations

import pytest

from dldna.experiments import trends

ROWS = [
    {"architecture": "Old", "year": 2014, "depth": 22, "params (M)": 6.0, "GMACs": 1.5,
     "top-1 (%)": 70.0},
    {"architecture": "Deep", "year": 2019, "depth": 274, "params (M)": 66.0, "GMACs": 37.0,
     "top-1 (%)": 84.0},
    {"architecture": "Big", "year": 2015, "depth": 50, "params (M)": 24.0, "GMACs": 4.0,
     "top-1 (%)": 76.0},
    {"architecture": "New", "year": 2020, "depth": 50, "params (M)": 86.0, "GMACs": 17.0,
     "top-1 (%)": 81.0},
    {"architecture": "Digits", "year": 1998, "depth": 5, "params (M)": 0.06, "GMACs": 0.0004,
     "top-1 (%)": None},
]


def test_pair_reading_gives_ratios_gap_and_per_parameter_verdict():
    reading = trends.pair_reading(ROWS, "Old", "Big")
    assert reading == {"params": "4.0×", "macs": "2.7×", "accuracy": "6.0 points more",
                       "per_param": "lower"}
    back = trends.pair_reading(ROWS, "Big", "Old")
    assert back["accuracy"] == "6.0 points less" and back["per_param"] == "higher"


def test_pair_reading_names_a_missing_label_or_accuracy():
    with pytest.raises(ValueError, match="'Nope'.*Old"):
        trends.pair_reading(ROWS, "Old", "Nope")
    with pytest.raises(ValueError, match="Digits.*top-1"):
        trends.pair_reading(ROWS, "Digits", "Old")


def test_depth_reading_lists_later_rows_that_are_shallower():
    reading = trends.depth_reading(ROWS)
    assert reading == {"deepest": "Deep", "deepest_depth": "274", "deepest_year": "2019",
                       "later_shallower": "New (50)"}
    assert trends.depth_reading(ROWS[:1])["later_shallower"] == "none"
    with pytest.raises(ValueError, match="rows"):
        trends.depth_reading([])
