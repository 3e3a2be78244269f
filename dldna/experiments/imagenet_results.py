"""ImageNet (ILSVRC) classification results over the years, as a small data table.

Top-5 error of the winning (or named) entry on the ILSVRC test set, as reported in the papers and
the challenge summary; ``cite`` is the key in book/references.bib.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    year: int
    entry: str
    top5_error: float  # percent
    deep: bool         # a trained deep convolutional network?
    cite: str


ILSVRC_RESULTS: tuple[Result, ...] = (
    Result(2010, "NEC-UIUC (SIFT/LBP + SVM)", 28.2, False, "russakovsky2015imagenet"),
    Result(2011, "XRCE (Fisher vectors)", 25.8, False, "russakovsky2015imagenet"),
    Result(2012, "AlexNet", 16.4, True, "krizhevsky2012imagenet"),
    Result(2013, "ZFNet", 11.7, True, "zeiler2014visualizing"),
    Result(2014, "VGG", 7.3, True, "simonyan2014very"),
    Result(2014, "GoogLeNet", 6.7, True, "szegedy2015going"),
    Result(2015, "ResNet", 3.57, True, "he2016deep"),
    Result(2017, "SENet", 2.25, True, "hu2018squeeze"),
)
HUMAN_TOP5_ERROR = 5.1  # one trained annotator, Russakovsky et al. (2015)

ILSVRC_FACTS = {
    "classes": 1000,
    "train_images": 1_281_167,
    "val_images": 50_000,
    "test_images": 100_000,
}


def plot_ilsvrc_timeline(ax=None):
    """Top-5 error by year: hand-crafted features, then deep CNNs, with the human reference.

    Args:
        ax: the axes to draw on; ``None`` makes a new figure.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2))
    for deep, colour, label in ((False, "tab:grey", "hand-crafted features"),
                                (True, "tab:blue", "deep CNN")):
        rows = [r for r in ILSVRC_RESULTS if r.deep == deep]
        ax.bar([f"{r.year}\n{r.entry.split(' (')[0]}" for r in rows],
               [r.top5_error for r in rows], color=colour, label=label)
    for patch, r in zip(ax.patches, [r for d in (False, True) for r in ILSVRC_RESULTS if r.deep == d]):
        ax.annotate(f"{r.top5_error:g}%", (patch.get_x() + patch.get_width() / 2, patch.get_height()),
                    ha="center", va="bottom", fontsize=10)
    ax.axhline(HUMAN_TOP5_ERROR, color="tab:red", linestyle="--",
               label=f"human annotator ≈ {HUMAN_TOP5_ERROR}%")
    ax.set_ylabel("ILSVRC top-5 error (%)")
    ax.set_title("ImageNet classification: top-5 error of landmark entries")
    ax.tick_params(axis="x", labelsize=9)
    ax.legend()
    return ax
