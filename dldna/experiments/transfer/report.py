"""Reading chapter 12's results: summaries, the best strategy per size and the decision chart."""
from __future__ import annotations


def summary(rows: list[dict]):
    """One line per (dataset, model, strategy, size): mean, lowest and highest test accuracy
    over the seeds, the trainable parameters and the CPU seconds per run.

    Args:
        rows: runs from :func:`grid`.
    """
    import pandas as pd

    df = pd.DataFrame([{k: v for k, v in r.items() if k != "history"} for r in rows])
    keys = ["dataset", "model", "strategy", "per class"]
    out = df.groupby(keys, sort=False).agg(
        mean=("test accuracy", "mean"), low=("test accuracy", "min"),
        high=("test accuracy", "max"), seeds=("seed", "count"),
        trainable=("trainable parameters", "first"), cpu=("cpu seconds", "mean")).reset_index()
    out["method"] = out["model"] + ", " + out["strategy"]
    out.loc[out["strategy"] == "scratch", "method"] = out["model"]
    return out


def best_by_size(table) -> list[dict]:
    """For each dataset and size: the best method, the runner-up and whether their seed ranges
    overlap (then the two are called a tie).

    Args:
        table: :func:`summary`'s result.
    """
    out = []
    for (dataset, per_class), g in table.groupby(["dataset", "per class"], sort=False):
        g = g.sort_values("mean", ascending=False)
        first, second = g.iloc[0], g.iloc[1] if len(g) > 1 else None
        tie = second is not None and second["high"] >= first["low"]
        out.append({"dataset": dataset, "per class": int(per_class), "best": first["method"],
                    "best accuracy": first["mean"], "runner-up": None if second is None else
                    second["method"], "runner-up accuracy": None if second is None else
                    second["mean"], "tie": bool(tie)})
    return out


def flow_steps(guide, *, near: str, far: str, sizes) -> list[tuple[str, str, str]]:
    """The questions of the decision flowchart, answered by the measured best methods.

    Args:
        guide: ``pandas.DataFrame(best_by_size(...))``.
        near: name of the dataset close to ImageNet.
        far: name of the dataset far from it.
        sizes: the training sizes per class that were measured.
    """
    def best(dataset, per_class):
        row = guide[(guide["dataset"] == dataset) & (guide["per class"] == per_class)].iloc[0]
        return row["best"] + (f"\n(tie: {row['runner-up']})" if row["tie"] else "")

    small, large = min(sizes), max(sizes)
    return [(f"Close to ImageNet and\n≤ {small} images per class?", best(near, small), ""),
            ("Close to ImageNet,\nmore images?", best(near, large), ""),
            (f"Far from ImageNet and\n≤ {small} images per class?", best(far, small),
             best(far, large))]


def flowchart(steps: list[tuple[str, str, str]], title: str):
    """A decision flowchart: one row per question, "yes" to the right, "no" down.

    Args:
        steps: ``(question, answer if yes, answer if no)``; the last "no" answer ends the chart,
            earlier ones may be ``""`` (continue with the next question).
        title: the figure's title.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 1.15 * len(steps) + 0.6))
    ax.set_axis_off()
    n = len(steps)
    box = dict(boxstyle="round,pad=0.4", fc="#eef3fa", ec="#4a6fa5")
    leaf = dict(boxstyle="round,pad=0.4", fc="#e7f5ea", ec="#2e7d32")
    for i, (question, yes, no) in enumerate(steps):
        y = n - i
        ax.text(0.25, y, question, ha="center", va="center", fontsize=9, bbox=box, wrap=True)
        ax.annotate("", xy=(0.55, y), xytext=(0.45, y), arrowprops=dict(arrowstyle="->"))
        ax.text(0.5, y + 0.12, "yes", ha="center", fontsize=8)
        ax.text(0.77, y, yes, ha="center", va="center", fontsize=9, bbox=leaf)
        if i < n - 1:
            ax.annotate("", xy=(0.25, y - 0.62), xytext=(0.25, y - 0.3),
                        arrowprops=dict(arrowstyle="->"))
            ax.text(0.27, y - 0.5, "no", fontsize=8)
        elif no:
            ax.annotate("", xy=(0.25, y - 0.62), xytext=(0.25, y - 0.3),
                        arrowprops=dict(arrowstyle="->"))
            ax.text(0.25, y - 0.85, no, ha="center", va="center", fontsize=9, bbox=leaf)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, n + 0.6)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def noise(p: float, n: int) -> float:
    """Twice the standard error of a difference between two accuracies ≈ ``p`` measured on
    ``n`` test images each: smaller differences are read as ties.

    Args:
        p: the accuracy (a fraction).
        n: test images.
    """
    return 2 * (2 * p * (1 - p) / max(1, n)) ** 0.5
