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
        """accuracy − confidence per bin: negative where the model is over-confident."""
        return self.accuracy - self.confidence


def reliability_bins(probs, labels, n_bins: int = N_BINS) -> Bins:
    """Put each example's top-class confidence into equal-width bins ((m−1)/M, m/M].

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        n_bins: number of bins M.
    """
    probs, labels = checked(probs, labels)
    n_bins = check_positive_int(n_bins, "n_bins")
    confidence, predicted = probs.double().max(dim=1)
    right = (predicted == labels).double().numpy()
    confidence = confidence.numpy()
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # bin m holds (edges[m], edges[m+1]]; a confidence of exactly 0 cannot be a top class
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.bincount(which, weights=right, minlength=n_bins) / count
        conf = np.bincount(which, weights=confidence, minlength=n_bins) / count
    return Bins(edges, count.astype(int), acc, conf)


def expected_calibration_error(probs, labels, n_bins: int = N_BINS) -> float:
    """ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)| over ``n_bins`` equal-width bins.

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
