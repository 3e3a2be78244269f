"""ECE against torchmetrics and a NumPy reference; temperature scaling; input checks."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torchmetrics.classification import MulticlassCalibrationError

from dldna.evaluate import (N_BINS, apply_temperature, confidence_bins, ece_difference,
                            ece_interval, expected_calibration_error, fit_temperature,
                            negative_log_likelihood, reliability_bins, reliability_diagram)
from dldna.evaluate.calibration import ece_replicates


def _predictions(n: int = 3000, classes: int = 10, sharpness: float = 3.0, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, classes, (n,), generator=g)
    logits = torch.randn(n, classes, generator=g)
    logits[torch.arange(n), labels] += 2.0          # right most of the time
    return sharpness * logits, labels


def _numpy_ece(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    """Guo et al.'s definition written out as a loop over bins ((m−1)/M, m/M]."""
    confidence, predicted = probs.max(1), probs.argmax(1)
    total = 0.0
    for m in range(n_bins):
        lo, hi = m / n_bins, (m + 1) / n_bins
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            gap = (predicted[inside] == labels[inside]).mean() - confidence[inside].mean()
            total += inside.mean() * abs(gap)
    return total


@pytest.mark.parametrize("sharpness,n_bins", [(0.3, 15), (1.0, 15), (3.0, 15), (1.0, 7)])
def test_ece_agrees_with_torchmetrics_and_a_numpy_loop(sharpness, n_bins):
    logits, labels = _predictions(sharpness=sharpness)
    probs = logits.double().softmax(1)
    ours = expected_calibration_error(probs, labels, n_bins)
    theirs = MulticlassCalibrationError(num_classes=10, n_bins=n_bins, norm="l1")(probs, labels)
    assert ours == pytest.approx(theirs.item(), abs=1e-6)
    assert ours == pytest.approx(_numpy_ece(probs.numpy(), labels.numpy(), n_bins), abs=1e-12)


def test_ece_is_zero_for_a_calibrated_toy_and_large_for_an_overconfident_one():
    # confidence 0.8 in every row, right in exactly 80 % of them: perfectly calibrated
    probs = torch.full((100, 2), 0.2)
    probs[:, 0] = 0.8
    labels = torch.tensor([0] * 80 + [1] * 20)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-7)
    sure = torch.tensor([[0.99, 0.01]] * 100)
    assert expected_calibration_error(sure, labels) == pytest.approx(0.99 - 0.8, abs=1e-6)


def test_reliability_bins_count_every_example_once_with_right_closed_bins():
    probs = torch.tensor([[0.5, 0.5], [0.5 + 1e-9, 0.5 - 1e-9], [1.0, 0.0], [0.75, 0.25]],
                         dtype=torch.float64)
    bins = reliability_bins(probs, torch.tensor([0, 1, 0, 0]), n_bins=4)
    # bins (0, .25], (.25, .5], (.5, .75], (.75, 1]: 0.5 → second, 0.75 → third, 1.0 → last
    assert list(bins.count) == [0, 1, 2, 1]
    assert bins.edges[0] == 0 and bins.edges[-1] == 1 and N_BINS == 15
    assert np.isnan(bins.accuracy[0]) and bins.accuracy[2] == 0.5


def test_bad_probabilities_and_labels_are_refused_by_name():
    logits, labels = _predictions(n=20)
    with pytest.raises(ValueError, match="every row of probs must sum to 1"):
        expected_calibration_error(logits.softmax(1) * 0.9, labels)
    with pytest.raises(ValueError, match="probs must hold probabilities"):
        expected_calibration_error(logits, labels)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 9\]"):
        expected_calibration_error(logits.softmax(1), labels + 10)
    with pytest.raises(ValueError, match=r"labels must have shape \(20,\)"):
        expected_calibration_error(logits.softmax(1), labels[:5])
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(logits.softmax(1), labels, n_bins=0)


def test_temperature_recovers_the_temperature_that_made_the_logits():
    base, labels = _predictions(n=4000, sharpness=1.0, seed=1)
    # sample labels from softmax(base): base is then calibrated, and base · 3 is over-confident
    labels = torch.multinomial(base.softmax(1), 1, generator=torch.Generator().manual_seed(2))[:, 0]
    temperature = fit_temperature(3.0 * base, labels)
    assert temperature == pytest.approx(3.0, rel=0.1)


def test_temperature_lowers_nll_and_ece_and_keeps_every_prediction():
    logits, labels = _predictions(n=3000, sharpness=4.0, seed=3)
    t = fit_temperature(logits[:1500], labels[:1500])      # fitted on a held-out half
    before, after = logits[1500:].softmax(1), apply_temperature(logits[1500:], t)
    assert t > 1  # these logits are over-confident
    assert torch.equal(before.argmax(1), after.argmax(1))
    held_out = labels[1500:]
    assert negative_log_likelihood(after, held_out) < negative_log_likelihood(before, held_out)
    assert expected_calibration_error(after, held_out) < expected_calibration_error(before,
                                                                                    held_out)
    assert torch.allclose(apply_temperature(logits, t, probabilities=False), logits / t)


def test_temperature_fitting_refuses_an_empty_split_and_bad_temperatures():
    with pytest.raises(ValueError, match="logits is empty"):
        fit_temperature(torch.empty(0, 10), torch.empty(0, dtype=torch.long))
    with pytest.raises(ValueError, match="labels must lie"):
        fit_temperature(torch.randn(4, 3), torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="temperature must be a positive"):
        apply_temperature(torch.randn(4, 3), 0.0)
    assert apply_temperature(torch.randn(4, 3), np.float32(2.0)).shape == (4, 3)


def test_reliability_diagram_draws_bars_and_names_the_ece():
    logits, labels = _predictions(n=500)
    fig = reliability_diagram(logits.softmax(1), labels, title="toy data")
    ax = fig.axes[0]
    assert ax.get_title() == "toy data" and len(ax.patches) >= 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(text.startswith("ECE ") and text.endswith("%") for text in legend)


def test_vectorised_ece_replicates_equal_the_ece_of_each_resample():
    logits, labels = _predictions(n=300, sharpness=2.0, seed=5)
    probs = logits.softmax(1)
    parts = confidence_bins(probs, labels, N_BINS)
    index = np.random.default_rng(0).integers(0, 300, size=(20, 300))
    fast = ece_replicates(*parts, index, N_BINS)
    slow = [expected_calibration_error(probs[torch.from_numpy(i)], labels[torch.from_numpy(i)])
            for i in index]
    assert fast == pytest.approx(slow, abs=1e-9)


def test_ece_interval_and_paired_difference():
    logits, labels = _predictions(n=2000, sharpness=4.0, seed=6)
    sharp, soft = logits.softmax(1), (logits / 3).softmax(1)
    interval = ece_interval(sharp, labels, n_boot=300)
    assert interval.estimate == pytest.approx(expected_calibration_error(sharp, labels))
    assert interval.low < interval.estimate < interval.high and interval.unit == "%"
    assert ece_interval(sharp, labels, n_boot=300) == interval  # seeded
    diff = ece_difference(sharp, soft, labels, n_boot=300)
    want = expected_calibration_error(sharp, labels) - expected_calibration_error(soft, labels)
    assert diff.estimate == pytest.approx(want) and diff.unit == "points"
    assert diff.width < interval.width + ece_interval(soft, labels, n_boot=300).width
    with pytest.raises(ValueError, match="same examples"):
        ece_difference(sharp, soft[:10], labels)
    with pytest.raises(ValueError, match="at least 2 examples"):
        ece_interval(sharp[:1], labels[:1])
