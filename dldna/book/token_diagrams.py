"""A Vision Transformer's input drawn from the model object (chapter 9): a real photo cut into
the model's patch grid, and the token sequence it becomes, class token first.

The patch size is the kernel of ``conv_proj``, the image side is the model's ``image_size``,
the token width is ``conv_proj``'s output channels and the sequence length is the number of
rows of the position embedding, so the drawing shows what the model will do.
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from PIL import Image

from dldna.data import photos
from .diagrams import COLOURS, FIGURE_WIDTH
from dldna.models.vit import VisionTransformer

from .diagram_parts import FONT, PALE, canvas, require


def _model(model: VisionTransformer | str) -> VisionTransformer:
    if isinstance(model, str):
        from dldna.models import create
        with torch.device("meta"):             # sizes only: no weights are filled in
            model = create(model)
    require(model, VisionTransformer, "model")
    k, s = model.conv_proj.kernel_size[0], model.conv_proj.stride[0]
    if k != s:
        raise ValueError(f"model's conv_proj must cut non-overlapping patches (kernel = "
                         f"stride), got kernel {k} and stride {s}")
    return model


def square_image(image: np.ndarray | str, side: int, grey: bool = False) -> np.ndarray:
    """The centre square of a photo (a bundled photo's name or an H×W(×3) uint8 array),
    resized to ``side`` pixels.

    Args:
        image: a name from :data:`dldna.data.photos.PHOTOS`, or a uint8 array.
        side: the side of the result, in pixels.
        grey: return one channel (H×W) instead of three.
    """
    if isinstance(image, str):
        image = photos.photo(image)
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise TypeError(f"image must be a photo name or a uint8 H×W or H×W×3 array, got "
                        f"{type(image).__name__}")
    h, w = image.shape[:2]
    n = min(h, w)
    crop = image[(h - n) // 2:(h - n) // 2 + n, (w - n) // 2:(w - n) // 2 + n]
    pil = Image.fromarray(crop).resize((side, side), Image.BICUBIC)
    return np.asarray(pil.convert("L" if grey else "RGB"))


def _facts(model: VisionTransformer, name: str) -> list[str]:
    p, side = model.conv_proj.kernel_size[0], model.image_size
    c, dim, grid = model.conv_proj.in_channels, model.conv_proj.out_channels, side // p
    seq = model.encoder.pos_embedding.shape[1]
    return [f"image: {c}×{side}×{side}{name}",
            f"patch: {p}×{p} pixels × {c} channels = {p * p * c} numbers",
            f"grid: {side} / {p} = {grid}, so {grid} × {grid} = {grid * grid} patches",
            f"conv_proj ({p}×{p}, stride {p}): each patch → a token of {dim}",
            f"+ 1 learned class token → {grid * grid + 1} tokens",
            f"+ position embedding: {seq} × {dim}",
            f"→ {len(model.encoder.layers)} encoder blocks; the head reads token 0"]


def draw_vit_patches(model: VisionTransformer | str = "vit_b_16",
                     image: np.ndarray | str = "chelsea", *, shown: int = 5) -> Figure:
    """A photo cut into the ViT's patch grid (left), the numbers of the patching (right),
    and the token sequence (below): the class token, the first ``shown`` patches in reading
    order, and the last patch, each with its position in the sequence.

    Args:
        model: a :class:`~dldna.models.vit.VisionTransformer`, or a registry name such as
            ``"vit_b_16"`` (built on the meta device).
        image: a bundled photo's name (:data:`dldna.data.photos.PHOTOS`) or a uint8 array.
        shown: how many patches to show at the start of the sequence, 1–6.

    Returns:
        The matplotlib figure.
    """
    model = _model(model)
    if isinstance(shown, bool) or not isinstance(shown, int) or not 1 <= shown <= 6:
        raise ValueError(f"shown must be an int from 1 to 6, got {shown!r}")
    p, side = model.conv_proj.kernel_size[0], model.image_size
    grid = side // p
    pixels = square_image(image, side, grey=model.conv_proj.in_channels == 1)
    cmap = "gray" if pixels.ndim == 2 else None
    fig, ax = canvas(FIGURE_WIDTH, 4.4)
    img = fig.add_axes((0.15 / FIGURE_WIDTH, 1.65 / 4.4, 2.6 / FIGURE_WIDTH, 2.6 / 4.4))
    img.imshow(pixels, cmap=cmap, extent=(0, side, side, 0))
    img.set_xticks(np.arange(0, side + 1, p))
    img.set_yticks(np.arange(0, side + 1, p))
    img.grid(color="white", lw=0.6)
    img.tick_params(length=0, labelbottom=False, labelleft=False)
    order = list(range(shown)) + [grid * grid - 1]
    for i, index in enumerate(order):
        r, c = divmod(index, grid)
        colour = COLOURS[i % len(COLOURS)]
        img.add_patch(Rectangle((c * p, r * p), p, p, facecolor=colour, alpha=0.35,
                                clip_on=False))
        img.add_patch(Rectangle((c * p, r * p), p, p, fill=False, lw=2.5, edgecolor=colour,
                                clip_on=False))
    name = f" ({image})" if isinstance(image, str) else ""
    for j, line in enumerate(_facts(model, name)):
        ax.text(3.0, 4.1 - j * 0.33, line, ha="left", va="center", fontsize=FONT)
    _sequence(ax, pixels, p, grid, order, cmap, model.encoder.pos_embedding.shape[1])
    return fig


def _sequence(ax, pixels, p: int, grid: int, order: list[int], cmap, seq: int) -> None:
    """The token strip: class token, the chosen patches, an ellipsis, the last patch."""
    ax.text(0.15, 1.42, f"the sequence the encoder reads: {seq} tokens, position 0 is the "
            "class token", ha="left", va="center", fontsize=FONT)
    slot, x = 0.62, 0.45
    ax.add_patch(FancyBboxPatch((x, 0.45), slot, slot, boxstyle="round,pad=0,rounding_size=0.05",
                                facecolor=PALE["scale"], edgecolor="#33415c"))
    ax.text(x + slot / 2, 0.45 + slot / 2, "[class]", ha="center", va="center", fontsize=FONT)
    ax.text(x + slot / 2, 0.3, "0", ha="center", va="center", fontsize=FONT)
    for i, index in enumerate(order):
        x += slot + 0.2
        if i == len(order) - 1:
            ax.text(x + slot / 2, 0.45 + slot / 2, "…", ha="center", va="center",
                    fontsize=FONT + 3)
            x += slot + 0.2
        r, c = divmod(index, grid)
        ax.imshow(pixels[r * p:(r + 1) * p, c * p:(c + 1) * p], cmap=cmap, aspect="auto",
                  extent=(x, x + slot, 0.45, 0.45 + slot))
        ax.add_patch(Rectangle((x, 0.45), slot, slot, fill=False, lw=2,
                               edgecolor=COLOURS[i % len(COLOURS)]))
        ax.text(x + slot / 2, 0.3, f"{index + 1}", ha="center", va="center", fontsize=FONT)
    ax.set_xlim(0, FIGURE_WIDTH)
    ax.set_ylim(0, 4.4)


__all__ = ["draw_vit_patches", "square_image"]
