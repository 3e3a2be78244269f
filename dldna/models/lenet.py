"""LeNet-5 (LeCun et al., 1998): two convolution + pooling stages, then three fully connected
layers. The paper feeds 32×32 images; for 28×28 MNIST ``padding=2`` keeps the same shapes."""
from __future__ import annotations

from torch import Tensor, nn

from .input_check import check_input
from .registry import register

_ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def _flattened_side(image_size: int, padding: int, activation: str, pool: str) -> int:
    """Side of the feature map the first FC layer flattens; ValueError for bad arguments."""
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of "
                         f"{sorted(_ACTIVATIONS)}, got {activation!r}")
    if pool not in ("avg", "max"):
        raise ValueError(f"pool must be 'avg' or 'max', got {pool!r}")
    # two 5×5 convolutions, each followed by a 2×2 pool
    side = ((image_size + 2 * padding - 4) // 2 - 4) // 2
    if side < 1:
        raise ValueError(f"image_size={image_size} with padding={padding} is too small for "
                         "two 5×5 convolutions and two 2×2 poolings")
    return side


class LeNet5(nn.Module):
    """conv 5×5 (6) → pool → conv 5×5 (16) → pool → FC 120 → FC 84
    → FC (classes).

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        image_size: image side in pixels (fixes the first FC layer).
        padding: zero padding of the first convolution.
        activation: ``"tanh"``, ``"relu"`` or ``"sigmoid"``.
        pool: ``"avg"`` or ``"max"``.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1,
                 image_size: int = 32, padding: int = 0,
                 activation: str = "tanh", pool: str = "avg") -> None:
        super().__init__()
        side = _flattened_side(image_size, padding, activation, pool)
        self.in_channels, self.image_size = in_channels, image_size
        self.input_size = image_size  # the first FC layer fixes it (read by check_input)
        act = _ACTIVATIONS[activation]
        pooling = nn.AvgPool2d if pool == "avg" else nn.MaxPool2d
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=padding), act(),
            pooling(2),
            nn.Conv2d(6, 16, kernel_size=5), act(), pooling(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * side * side, 120), act(),
            nn.Linear(120, 84), act(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        return self.classifier(self.features(x))


@register("lenet5")
def lenet5(num_classes: int = 10, in_channels: int = 1, image_size: int = 32, padding: int = 0,
           activation: str = "tanh", pool: str = "avg") -> LeNet5:
    """Build a :class:`LeNet5`; ``lenet5(image_size=28, padding=2)`` for 28×28 digits.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        image_size: image side in pixels (fixes the first FC layer).
        padding: zero padding of the first convolution.
        activation: ``"tanh"``, ``"relu"`` or ``"sigmoid"``.
        pool: ``"avg"`` or ``"max"``.
    """
    return LeNet5(num_classes, in_channels, image_size, padding, activation, pool)
