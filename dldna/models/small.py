"""Small CNNs that train in seconds on a CPU (chapters 4 and 10), and the worked example block.

* :class:`SmallCNN` (``"small_cnn"``) – chapter 4's first CNN for 28×28 digits: two
  conv–BN–ReLU–max-pool stages (8 and 16 filters) and one linear layer.
* :class:`DigitsCNN` (``"digits_cnn"``) – chapter 10's network for the 8×8 scikit-learn digits:
  two 3×3 convolutions (16, 32), one max-pool, a 64-unit hidden layer.
* :class:`BasicBlockExample` – chapter 4's parameter-counting example, a ResNet basic block
  that keeps its convolution biases (``dldna.counting.BasicBlockExample`` is the same class).

None of them has a torchvision twin; their registry names are ours.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .input_check import check_input
from .registry import register

__all__ = ["BasicBlockExample", "DigitsCNN", "SmallCNN", "digits_cnn", "small_cnn"]


def _check_side(image_size: int, divisor: int, name: str) -> int:
    if not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < divisor:
        raise ValueError(f"image_size must be an int ≥ {divisor} for {name}, got {image_size!r}")
    return image_size // divisor


class SmallCNN(nn.Module):
    """conv 5×5 (8) → BN → ReLU → max-pool 2 → conv 3×3 (16) → BN → ReLU → max-pool 2 → linear.

    ``features`` is one ``nn.Sequential`` so that ``features[:3]`` (the first conv stage) and
    ``features[:4]`` (after the first pooling) can be probed on their own, as chapter 4 does.

    Args:
        num_classes: number of output scores.
        in_channels: image channels (1 grey, 3 colour).
        image_size: image side in pixels, divisible by 4.
        widths: channels of the two convolutions.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
                 widths: tuple[int, int] = (8, 16)) -> None:
        super().__init__()
        side = _check_side(image_size, 4, "SmallCNN (two 2×2 poolings)")
        first, second = widths
        self.in_channels, self.input_size = in_channels, image_size  # read by check_input
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, first, 5, padding=2), nn.BatchNorm2d(first), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(first, second, 3, padding=1), nn.BatchNorm2d(second), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(second * side * side, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        return self.classifier(self.features(x).flatten(1))


class DigitsCNN(nn.Sequential):
    """conv 3×3 (16) → ReLU → conv 3×3 (32) → ReLU → max-pool 2 → linear 64 → ReLU → linear.

    A plain ``nn.Sequential``, so its weights are named ``0.weight``, ``2.weight``, ``6.weight``
    and ``8.weight`` like the ``torch.nn.Sequential`` chapter 10 used to build in a cell.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        image_size: image side in pixels, even.
        hidden: width of the hidden linear layer.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, image_size: int = 8,
                 hidden: int = 64) -> None:
        side = _check_side(image_size, 2, "DigitsCNN (one 2×2 pooling)")
        super().__init__(
            nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * side * side, hidden), nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )
        self.in_channels, self.input_size = in_channels, image_size  # read by check_input

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        return super().forward(x)


class BasicBlockExample(nn.Module):
    """The ResNet basic block of the parameter-counting example: conv-BN-ReLU-conv-BN + x.

    ``conv_bias=True`` keeps the conv biases (as in the worked example); real ResNets drop
    them because the BatchNorm that follows has its own shift.

    Args:
        channels: channels in and out of the block.
        conv_bias: keep the convolutions' biases.
    """

    def __init__(self, channels: int = 64, conv_bias: bool = True):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=conv_bias)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=conv_bias)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: Tensor) -> Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + x)


@register("small_cnn")
def small_cnn(*, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
              widths: tuple[int, int] = (8, 16)) -> SmallCNN:
    """Chapter 4's small CNN (28×28 digits by default; ``image_size`` divisible by 4).

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        image_size: image side in pixels.
        widths: channels of the two convolutions.
    """
    return SmallCNN(num_classes, in_channels, image_size, tuple(widths))


@register("digits_cnn")
def digits_cnn(*, num_classes: int = 10, in_channels: int = 1, image_size: int = 8,
               hidden: int = 64) -> DigitsCNN:
    """Chapter 10's CNN for the 8×8 digits (``image_size`` even).

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        image_size: image side in pixels.
        hidden: width of the hidden linear layer.
    """
    return DigitsCNN(num_classes, in_channels, image_size, hidden)
