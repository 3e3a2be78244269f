"""What a training run records per epoch: :class:`History` (returned by :func:`dldna.train.fit`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class History:
    """Per-epoch metrics of a run; ``dataset`` names the data actually used.

    Args:
        dataset: name of the training data.
        epoch: epoch numbers, from 1.
        train_loss: mean training loss of each epoch.
        train_accuracy: training accuracy of each epoch (a fraction).
        val_loss: held-out loss after each epoch (empty without held-out data).
        val_accuracy: held-out accuracy after each epoch (a fraction).
        lr: learning rate at the end of each epoch.
        seconds: wall time of each epoch.
    """

    dataset: str = ""
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "History":
        return cls(**{f.name: data[f.name] for f in fields(cls)})

    def metrics(self) -> dict[str, list]:
        """The numbers that must not depend on timing (used to compare runs)."""
        return {k: v for k, v in self.to_dict().items() if k != "seconds"}

    def __repr__(self) -> str:
        if not self.epoch:
            return f"History({self.dataset!r}, no epochs)"
        last = f"train acc {self.train_accuracy[-1]:.1%}"
        if self.val_accuracy:
            last += f", val acc {self.val_accuracy[-1]:.1%}"
        return f"History({self.dataset!r}, {len(self.epoch)} epochs, {last})"

    def plot(self, title: str | None = None, axes=None,
             labels: tuple[str, str] = ("train", "validation")):
        """Loss and accuracy per epoch, train vs held-out data; returns the figure.

        ``labels`` names the two curves (e.g. ``("train (augmented)", "test")``).

        Args:
            title: the figure's title; ``None`` names the dataset.
            axes: two matplotlib axes to draw into; ``None`` makes a new figure.
            labels: names of the training and the held-out curve.
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
        else:
            fig = axes[0].figure
        for ax, key in ((axes[0], "loss"), (axes[1], "accuracy")):
            ax.plot(self.epoch, getattr(self, f"train_{key}"), "o-", label=labels[0])
            if getattr(self, f"val_{key}"):
                ax.plot(self.epoch, getattr(self, f"val_{key}"), "s-", label=labels[1])
            ax.set_xlabel("epoch")
            ax.set_ylabel(key)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend()
        fig.suptitle(title or f"Training on {self.dataset}")
        fig.tight_layout()
        return fig
