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


FULL = [
    {"architecture": "AlexNet", "year": 2012, "depth": 8, "params (M)": 61.0, "GMACs": 0.7,
     "top-1 (%)": 56.5, "key idea": "ReLU"},
    {"architecture": "VGG-16", "year": 2014, "depth": 16, "params (M)": 138.0, "GMACs": 15.5,
     "top-1 (%)": 71.6, "key idea": "3×3"},
    {"architecture": "GoogLeNet", "year": 2014, "depth": 22, "params (M)": 6.6, "GMACs": 1.5,
     "top-1 (%)": 69.8, "key idea": "Inception"},
    {"architecture": "EfficientNet-B0", "year": 2019, "depth": 82, "params (M)": 5.3,
     "GMACs": 0.39, "top-1 (%)": 77.7, "key idea": "MBConv"},
    {"architecture": "ViT-B/16", "year": 2020, "depth": 50, "params (M)": 86.6, "GMACs": 17.6,
     "top-1 (%)": 81.1, "key idea": "patches"},
]


def test_accuracy_drops_are_the_steps_down_the_table_where_top1_fell():
    assert [(a, b, round(d, 1)) for a, b, d in trends.accuracy_drops(FULL)] == [
        ("VGG-16", "GoogLeNet", 1.8)]
    assert trends.accuracy_drops(ROWS[-1:]) == []


def test_trend_markdown_reads_the_pairs_present_and_the_depth_peak():
    text = trends.trend_markdown(FULL)
    assert "it fell at one step: VGG-16 → GoogLeNet (1.8 points)" in text
    assert "**From VGG-16 to EfficientNet-B0:** EfficientNet-B0 has 1/26 of VGG-16's" in text
    assert "**From EfficientNet-B0 to ViT-B/16:** ViT-B/16 has 16.3×" in text
    assert "GoogLeNet to ResNet-50" not in text  # ResNet-50 is not in these rows
    assert "deepest network here is EfficientNet-B0 (82" in text
    assert "Later designs are shallower: ViT-B/16 (50)." in text
    assert "ViT-B/16 45.1×" in text  # not cheaper than B0, rounded as in the bullet


def test_trend_markdown_of_a_short_table_claims_nothing_about_absent_rows():
    text = trends.trend_markdown(FULL[:1] + FULL[3:4])  # AlexNet and B0 only
    assert "never fell" in text and "From " not in text and "not cheaper" not in text
    assert "No later row of this table is shallower." in text
    assert "Depth did not grow" not in text
    with pytest.raises(ValueError, match="rows"):
        trends.trend_markdown([])


def test_accuracy_differences_are_those_of_the_rounded_values_the_table_shows():
    rows = [{"architecture": "GoogLeNet", "year": 2014, "depth": 22, "params (M)": 6.6,
             "GMACs": 1.5, "top-1 (%)": 69.778},
            {"architecture": "ResNet-50", "year": 2015, "depth": 50, "params (M)": 25.6,
             "GMACs": 4.1, "top-1 (%)": 76.130},
            {"architecture": "MobileNetV2", "year": 2018, "depth": 53, "params (M)": 3.5,
             "GMACs": 0.3, "top-1 (%)": 71.878}]
    # 76.1 − 69.8 = 6.3 and 76.1 − 71.9 = 4.2, although the raw differences round to 6.4 and 4.3
    assert trends.pair_reading(rows, "GoogLeNet", "ResNet-50")["accuracy"] == "6.3 points more"
    assert trends.accuracy_drops(rows) == [("ResNet-50", "MobileNetV2", 4.2)]
    assert "MobileNetV2 (4.2 points)" in trends.trend_markdown(rows)


def test_year_notes_name_the_rows_published_later_than_they_appeared():
    rows = [{"architecture": "ResNet-50", "year": 2015, "cite": "he2016deep"},
            {"architecture": "VGG-16", "year": 2014, "cite": "simonyan2014very"},
            {"architecture": "ViT-B/16", "year": 2020, "cite": "dosovitskiy2021image"}]
    bib = ("@inproceedings{he2016deep,\n  booktitle = {Computer Vision (CVPR)},\n"
           "  year = {2016}\n}\n@inproceedings{dosovitskiy2021image,\n"
           "  booktitle = {Learning Representations (ICLR)}, year = {2021}\n}\n")
    assert trends.year_notes(rows, bib) == ("ResNet-50 (2015; cited: CVPR 2016) and "
                                            "ViT-B/16 (2020; cited: ICLR 2021)")
    assert trends.year_notes(rows[:2]) == "ResNet-50 (2015; cited: 2016)"
    assert trends.year_notes(rows[1:2]) == ""
