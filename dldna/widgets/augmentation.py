"""Augmentation playground: pick a photo, an operation and its strength; see a few random draws
(chapter 10). ``augmentation_figure`` is the pure, tested part; ``augmentation_playground`` the
thin ipywidgets wrapper (API common to ipywidgets 7.7 and 8)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..data.augment import OPS, augment_samples
from ..data.photos import PHOTOS, photo


def photo_tensor(name: str = "chelsea", size: int = 128) -> torch.Tensor:
    """A bundled photo as a 3×size×size float tensor in [0, 1] (centre square, resized).

    Args:
        name: a bundled photo's name (a key of ``dldna.photos.PHOTOS``).
        size: side of the returned square in pixels.
    """
    array = photo(name)
    image = torch.from_numpy(array).float() / 255.0
    image = image.permute(2, 0, 1) if image.ndim == 3 else image[None].expand(3, -1, -1)
    side = min(image.shape[1:])
    top, left = (image.shape[1] - side) // 2, (image.shape[2] - side) // 2
    square = image[:, top:top + side, left:left + side]
    return F.interpolate(square[None], size=(size, size), mode="bilinear", antialias=True,
                         align_corners=False)[0].clamp(0, 1)


def augmentation_figure(image: torch.Tensor | None = None, op: str = "random resized crop",
                        magnitude: float = 0.5, seed: int = 0, n: int = 5,
                        title: str | None = None, columns: int = 3):
    """The original next to ``n`` augmented draws, ``columns`` pictures per row, large enough to
    see what changed; returns the matplotlib figure.

    Args:
        image: C×H×W float image in [0, 1]; ``None`` for the bundled cat photo.
        op: augmentation name, one of ``dldna.augment.OPS``.
        magnitude: strength in [0, 1].
        seed: seed of the draws (same seed, same pictures).
        n: number of augmented draws shown.
        title: figure title; ``None`` names the operation, magnitude and seed.
        columns: pictures per row.
    """
    import matplotlib.pyplot as plt

    if not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be a positive integer, got {columns!r}")
    image = photo_tensor() if image is None else image
    samples = augment_samples(image, op, magnitude, n=n, seed=seed)
    cols = min(columns, n + 1)
    rows = -(-(n + 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.3 * cols, 2.4 * rows + 0.5),
                             squeeze=False)
    labels = ["original"] + [f"draw {i + 1}" for i in range(n)]
    for ax, picture, label in zip(axes.flat, [image, *samples], labels):
        ax.imshow(picture.permute(1, 2, 0).numpy())
        ax.set_title(label, fontsize=10)
        ax.axis("off")
    for ax in list(axes.flat)[n + 1:]:
        fig.delaxes(ax)  # no empty frames in the last row
    fig.suptitle(title or f"{op} (magnitude {magnitude:.2f}, seed {seed})", fontsize=11)
    fig.tight_layout()
    return fig


def augmentation_playground(photo_name: str = "chelsea", op: str = "random resized crop",
                            magnitude: float = 0.5, seed: int = 0):
    """Dropdowns for photo and operation, sliders for magnitude and seed, a live figure.

    The first figure is ``augmentation_figure(photo_tensor(photo_name), op, magnitude, seed)``,
    so a static copy of it can stand in for the widget where no kernel runs.

    Args:
        photo_name: the photo shown first (a key of ``dldna.photos.PHOTOS``).
        op: the operation shown first, one of ``dldna.augment.OPS``.
        magnitude: starting strength in [0, 1].
        seed: starting seed, 0 to 20.

    Returns:
        The ipywidgets ``VBox`` holding the controls and the figure.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    if photo_name not in PHOTOS:
        raise ValueError(f"photo_name must be one of {', '.join(PHOTOS)}, got {photo_name!r}")
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")
    if not 0 <= magnitude <= 1:
        raise ValueError(f"magnitude must be in [0, 1], got {magnitude!r}")
    if not isinstance(seed, int) or not 0 <= seed <= 20:
        raise ValueError(f"seed must be an integer in 0..20, got {seed!r}")
    picture = w.Dropdown(options=list(PHOTOS), value=photo_name, description="photo")
    operation = w.Dropdown(options=list(OPS), value=op, description="operation")
    strength = w.FloatSlider(value=magnitude, min=0.0, max=1.0, step=0.05,
                             description="magnitude")
    draw_seed = w.IntSlider(value=seed, min=0, max=20, description="seed")
    out = w.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            fig = augmentation_figure(photo_tensor(picture.value), operation.value,
                                      strength.value, draw_seed.value)
            display(fig)
            plt.close(fig)

    for control in (picture, operation, strength, draw_seed):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([picture, operation]), w.HBox([strength, draw_seed]), out])
