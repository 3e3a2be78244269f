"""Grad-CAM (Selvaraju et al., 2017) and its sanity check (Adebayo et al., 2018).

:func:`grad_cam` weights a layer's feature maps by the mean gradient of a class score and keeps
the positive part: where in the image the evidence for that class sits, at that layer's
resolution. The hooks it needs are removed when it returns, also after an error.

The *model-randomisation test* asks whether such a map depends on what the network learned:
re-initialise the weights (:func:`randomize`) and compare the maps (:func:`rank_correlation`).
A map that barely changes explains the input, not the model.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .hooks import check_ran, hooked, resolve



@dataclass
class GradCam:
    """A class-activation map: ``heatmap`` H×W in [0, 1] at the input's size.

    Args:
        heatmap: the map, H×W like the image, in [0, 1].
        target: the class whose score was explained.
        score: that class's score (logit) for the image.
        layer: the module path whose feature maps were used.
    """

    heatmap: Tensor
    target: int
    score: float
    layer: str


@contextmanager
def _activation_and_gradient(model: nn.Module, layer: str) -> Iterator[dict[str, Tensor]]:
    """Keep ``layer``'s output and, on backward, its gradient: a tensor hook registered inside
    the forward hook (full backward hooks clash with torchvision's in-place ReLUs)."""
    store: dict[str, Tensor] = {}

    def keep(name: str, module: nn.Module, inputs, output: Tensor) -> None:
        store["output"] = output  # kept with its graph: the backward pass stops here

        def keep_gradient(grad: Tensor) -> None:
            store["gradient"] = grad.detach()
        output.register_hook(keep_gradient)

    with hooked(resolve(model, [layer]), keep):
        yield store


def grad_cam(model: nn.Module, image: Tensor, layer: str, target: int | None = None) -> GradCam:
    """Grad-CAM of ``target`` (default: the top class) for one C×H×W (or 1×C×H×W) ``image``.

    The map is ReLU(Σ_k α_k A_k) with α_k the spatial mean of ∂score/∂A_k, upsampled to the
    image and scaled to [0, 1]. The model's mode and gradients are left as they were.

    Args:
        model: the classifier; run in eval mode.
        image: one image, C×H×W or 1×C×H×W.
        layer: module path of the feature maps, e.g. ``"layer4"``.
        target: class index; ``None`` takes the top class.
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"image must be a torch.Tensor, got {type(image).__name__}")
    if image.ndim == 3:
        image = image[None]
    if image.ndim != 4 or image.shape[0] != 1:
        raise ValueError(f"image must be C×H×W or 1×C×H×W, got {tuple(image.shape)}")
    if image.is_floating_point() and not torch.isfinite(image).all():
        raise ValueError("image contains NaN or infinite values: the map would be NaN; check "
                         "the preprocessing (e.g. a division by a zero standard deviation)")
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad(), _activation_and_gradient(model, layer) as store:
            scores = model(image)
            check_ran(model, [layer], {layer: store["output"]} if "output" in store else {})
            if store["output"].ndim != 4:
                raise ValueError(f"layer {layer!r} outputs shape {tuple(store['output'].shape)}, "
                                 "not N×C×H×W feature maps: Grad-CAM needs a convolutional "
                                 "layer (usually the last one before the pooling)")
            if target is None:
                target = int(scores.argmax(1))
            if not 0 <= target < scores.shape[1]:
                raise ValueError(f"target must be in [0, {scores.shape[1] - 1}], got {target}")
            # Backpropagate only down to the layer (no parameter .grad is touched); the
            # tensor hook records the gradient on the way.
            torch.autograd.grad(scores[0, target], store["output"])
    finally:
        model.train(was_training)
    activation, gradient = store["output"].detach()[0], store["gradient"][0]
    weights = gradient.mean(dim=(1, 2))
    cam = F.relu((weights[:, None, None] * activation).sum(0))
    cam = F.interpolate(cam[None, None], size=image.shape[-2:], mode="bilinear",
                        align_corners=False)[0, 0]
    cam = cam / cam.max() if cam.max() > 0 else cam
    return GradCam(cam, target, float(scores[0, target].detach()), layer)


def randomize(model: nn.Module, layers: Iterable[str] | None = None, *, seed: int = 0
              ) -> nn.Module:
    """A copy of ``model`` whose ``layers`` (module paths; default: all) are re-initialised.

    Every sub-module with ``reset_parameters`` gets fresh random weights (BatchNorm: weight 1,
    bias 0, running statistics reset), as when the network was first built.

    Args:
        model: the trained network; it is copied, not changed.
        layers: module paths to re-initialise; ``None`` re-initialises the whole copy.
        seed: seeds the new random weights.

    Returns:
        The re-initialised copy, in eval mode.
    """
    randomized = copy.deepcopy(model)
    targets = ([randomized] if layers is None
               else list(resolve(randomized, list(layers)).values()))
    torch.manual_seed(seed)
    for target in targets:
        for module in target.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
    return randomized.eval()


def rank_correlation(a: Tensor, b: Tensor) -> float:
    """Spearman's rank correlation of two maps of the same shape (1: same order of pixels).

    Args:
        a: the first map.
        b: the second map, the same shape as ``a``.

    Returns:
        The correlation in [-1, 1]; 0 when either map is constant.
    """
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")

    def ranks(x: Tensor) -> Tensor:  # tied values (e.g. the zeros of a ReLU) share their mean rank
        _, inverse, counts = torch.unique(x.flatten(), return_inverse=True, return_counts=True)
        mean_rank = counts.cumsum(0).double() - (counts.double() + 1) / 2
        r = mean_rank[inverse]
        return r - r.mean()

    ra, rb = ranks(a), ranks(b)
    denominator = ra.norm() * rb.norm()
    return float((ra @ rb) / denominator) if denominator > 0 else 0.0
