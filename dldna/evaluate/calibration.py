"""Calibration: does a confidence of 90 % mean right 90 % of the time?

* :func:`reliability_bins` and :func:`expected_calibration_error` follow Guo et al. (2017): the
  top-class confidences are put into ``n_bins`` equal-width bins B_m = ((m−1)/M, m/M], and
  ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|;
* :func:`reliability_diagram` draws accuracy against confidence per bin;
* :func:`fit_temperature` finds the one number T that minimises the negative log-likelihood of
  softmax(logits / T) on a held-out split (LBFGS), and :func:`apply_temperature` uses it.
  Dividing all logits by the same T > 0 never changes which class is largest, so accuracy is
  unchanged; only the confidences move.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import as_float_tensor, check_labels, check_positive_int
from .intervals import Interval
from .metrics import checked

#: Guo et al. (2017) use 15 equal-width bins.
N_BINS = 15


@dataclass(frozen=True)
class Bins:
    """Per-bin statistics of a reliability diagram (empty bins have count 0 and NaN means).

    Args:
        edges: the M + 1 bin edges, 0 to 1.
        count: examples per bin.
        accuracy: fraction right in each bin.
        confidence: mean top-class confidence in each bin.
    """

    edges: np.ndarray
    count: np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """Accuracy minus confidence per bin, negative where the model is over-confident."""
        return self.accuracy - self.confidence


def reliability_bins(probs, labels, n_bins: int = N_BINS) -> Bins:
    """Put each example's top-class confidence into equal-width bins ((m−1)/M, m/M].

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        n_bins: number of bins M.
    """
    n_bins = check_positive_int(n_bins, "n_bins")
    # bin m holds (edges[m], edges[m+1]]; a confidence of exactly 0 cannot be a top class
    which, confidence, right = confidence_bins(probs, labels, n_bins)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    count = np.bincount(which, minlength=n_bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.bincount(which, weights=right, minlength=n_bins) / count
        conf = np.bincount(which, weights=confidence, minlength=n_bins) / count
    return Bins(edges, count.astype(int), acc, conf)


def expected_calibration_error(probs, labels, n_bins: int = N_BINS) -> float:
    """ECE = Σₘ (nₘ / N) · abs(accₘ − confₘ) over ``n_bins`` equal-width confidence bins, with nₘ
    predictions in bin m.

    Args:
        probs: N×C probabilities (softmax outputs).
        labels: N class indices.
        n_bins: number of bins (Guo et al. 2017 use 15).

    Returns:
        The ECE as a fraction (0 = perfectly calibrated).
    """
    bins = reliability_bins(probs, labels, n_bins)
    used = bins.count > 0
    weights = bins.count[used] / bins.count.sum()
    return float(np.sum(weights * np.abs(bins.gap[used])))


def confidence_bins(probs, labels, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per example: its bin ((m−1)/M, m/M], its top-class confidence and 1/0 for right/wrong.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        n_bins: number of bins M.

    Returns:
        Three NumPy arrays of length N, the bin index (0 … M−1), the confidence and whether
        the prediction is right.
    """
    probs, labels = checked(probs, labels)
    confidence, predicted = probs.double().max(dim=1)
    confidence = confidence.numpy()
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    return which, confidence, (predicted == labels).double().numpy()


def ece_replicates(which: np.ndarray, confidence: np.ndarray, right: np.ndarray,
                   index: np.ndarray, n_bins: int) -> np.ndarray:
    """The ECE of every resample at once: row r of ``index`` picks the examples of resample r.

    Per bin, |B_m|/N · |acc − conf| = |Σ right − Σ confidence| / N over the bin's examples,
    so three bincounts over all resamples give every ECE without a Python loop.

    Args:
        which: each example's bin.
        confidence: each example's top-class confidence.
        right: 1/0 per example.
        index: R × N indices of the resampled examples.
        n_bins: number of bins.
    """
    r, n = index.shape
    flat = (which[index] + n_bins * np.arange(r)[:, None]).ravel()
    size = r * n_bins
    sum_conf = np.bincount(flat, weights=confidence[index].ravel(), minlength=size)
    sum_right = np.bincount(flat, weights=right[index].ravel(), minlength=size)
    return np.abs(sum_right - sum_conf).reshape(r, n_bins).sum(axis=1) / n


def _ece_bootstrap(sets, labels, n_bins: int, n_boot: int, level: float, seed: int,
                   unit: str) -> Interval:
    from .intervals import _check_level, _percentile_interval

    n_bins = check_positive_int(n_bins, "n_bins")
    n_boot = check_positive_int(n_boot, "n_boot", minimum=10)
    level = _check_level(level)
    parts = [confidence_bins(p, labels, n_bins) for p in sets]
    n = len(parts[0][0])
    if n < 2:
        raise ValueError(f"probs needs at least 2 examples for a bootstrap, got {n}")
    every = np.arange(n)[None, :]
    sign = [1.0, -1.0][:len(parts)]

    def stat(index: np.ndarray) -> np.ndarray:
        return sum(s * ece_replicates(*part, index, n_bins) for s, part in zip(sign, parts))

    rng, replicates = np.random.default_rng(seed), []
    for start in range(0, n_boot, 250):
        replicates.append(stat(rng.integers(0, n, size=(min(250, n_boot - start), n))))
    return _percentile_interval(float(stat(every)[0]), np.concatenate(replicates), level, unit)


def ece_interval(probs, labels, n_bins: int = N_BINS, *, n_boot: int = 1000,
                 level: float = 0.95, seed: int = 0) -> Interval:
    """The ECE with a percentile-bootstrap interval over the test examples (vectorised).

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        n_bins: number of bins.
        n_boot: bootstrap resamples.
        level: confidence level, in (0, 1).
        seed: seed of the resampling.
    """
    return _ece_bootstrap([probs], labels, n_bins, n_boot, level, seed, "%")


def ece_difference(probs_a, probs_b, labels, n_bins: int = N_BINS, *, n_boot: int = 1000,
                   level: float = 0.95, seed: int = 0) -> Interval:
    """ECE of A minus ECE of B on the same examples, with a paired bootstrap interval (in
    points; negative when A is better calibrated).

    Args:
        probs_a: N×C probabilities of A.
        probs_b: N×C probabilities of B, for the same examples.
        labels: N class indices.
        n_bins: number of bins.
        n_boot: bootstrap resamples.
        level: confidence level, in (0, 1).
        seed: seed of the resampling.
    """
    if len(probs_a) != len(probs_b):
        raise ValueError(f"probs_a and probs_b must cover the same examples, got {len(probs_a)} "
                         f"and {len(probs_b)} rows")
    return _ece_bootstrap([probs_a, probs_b], labels, n_bins, n_boot, level, seed, "points")


def reliability_diagram(probs, labels, n_bins: int = N_BINS, *, ax=None,
                        title: str | None = None, label: str | None = None):
    """Accuracy against confidence per bin, with the diagonal of perfect calibration; the
    ECE is written in the legend.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        n_bins: number of bins.
        ax: draw into these axes (``None``: a new figure).
        title: the axes' title (name the dataset in it).
        label: the bars' legend label (the ECE is appended).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    bins = reliability_bins(probs, labels, n_bins)
    ece = expected_calibration_error(probs, labels, n_bins)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.4))
    width = bins.edges[1] - bins.edges[0]
    used = bins.count > 0
    ax.bar(bins.edges[:-1][used], bins.accuracy[used], width=width, align="edge",
           edgecolor="k", linewidth=0.5, alpha=0.8,
           label=f"{label + ', ' if label else ''}ECE {100 * ece:.1f} %")
    ax.plot([0, 1], [0, 1], "k:", label="perfect calibration")
    ax.set_xlim(0, 1), ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (top class)"), ax.set_ylabel("accuracy in the bin")
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title, fontsize=9)
    return ax.figure


def _checked_logits(logits, labels) -> tuple[torch.Tensor, torch.Tensor]:
    logits = as_float_tensor(logits, "logits", ndim=2)
    if logits.shape[0] == 0:
        raise ValueError("logits is empty: temperature scaling needs a held-out split with at "
                         "least one example")
    if logits.shape[1] < 2:
        raise ValueError(f"logits must be N×C with C ≥ 2, got shape {tuple(logits.shape)}")
    return logits, check_labels(labels, logits.shape[1], logits.shape[0], "labels")


def fit_temperature(logits, labels, *, max_iter: int = 100) -> float:
    """The temperature T > 0 that minimises the NLL of softmax(logits / T) on a held-out split.

    LBFGS on log T (so T stays positive), as in Guo et al. (2017). Fit it on a validation split,
    never on the test images it is then judged on.

    Args:
        logits: N×C raw scores of the held-out split (not probabilities).
        labels: N class indices.
        max_iter: LBFGS iterations.

    Returns:
        T as a float (T > 1 softens over-confident predictions, T < 1 sharpens them).
    """
    logits, labels = _checked_logits(logits, labels)
    max_iter = check_positive_int(max_iter, "max_iter")
    logits = logits.double()
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.5, max_iter=max_iter,
                                  line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.exp().item())


def apply_temperature(logits, temperature: float, *, probabilities: bool = True) -> torch.Tensor:
    """softmax(logits / T): the calibrated probabilities (or the scaled logits).

    Args:
        logits: N×C raw scores.
        temperature: T > 0, e.g. from :func:`fit_temperature`.
        probabilities: return probabilities (``False``: the scaled logits).
    """
    logits = as_float_tensor(logits, "logits", ndim=2)
    if not isinstance(temperature, (int, float, np.floating)) or isinstance(temperature, bool) \
            or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    scaled = logits / float(temperature)
    return scaled.softmax(dim=1) if probabilities else scaled


def negative_log_likelihood(probs, labels) -> float:
    """Mean −log p(true class): the loss temperature scaling minimises, on probabilities.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
    """
    probs, labels = checked(probs, labels)
    picked = probs.double()[torch.arange(len(labels)), labels].clamp_min(1e-12)
    return float(-picked.log().mean())
