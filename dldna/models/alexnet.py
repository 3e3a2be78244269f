"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012), two ways.

* :func:`alexnet` – torchvision's single-GPU version (64-192-384-256-256 channels, no LRN):
  same module names, 61,100,840 parameters, loads torchvision's state dict with ``strict=True``.
* :func:`alexnet_paper` – the paper's channels 96-256-384-384-256, local response normalisation
  after conv 1 and 2, and the two-GPU split written as ``groups=2`` in conv 2, 4 and 5 (each half
  of the filters sees only the half of the channels on its own GPU). ``groups=1`` builds the same
  network without the split, to see what the split saved.

Both use overlapping 3×3 max pooling with stride 2 and dropout 0.5 in the first two FC layers.
"""
from __future__ import annotations

from torch import Tensor, nn

from .input_check import Shrink, check_input, min_input_side
from .common import fc_head, last_conv_channels
from .registry import register

#: The layers that shrink the image (conv1 11×11/4 with padding 2, three 3×3/2 max pools).
SHRINKS = (Shrink(11, 4, 2), Shrink(3, 2), Shrink(3, 2), Shrink(3, 2))


class AlexNet(nn.Module):
    """``features`` (convolutions), ``avgpool`` to 6×6, ``classifier`` (three FC layers).

    Args:
        features: the convolutional part, e.g. from :func:`torchvision_features`.
        num_classes: number of output scores.
        dropout: dropout probability before the first two FC layers.
        in_channels: image channels ``features`` expects (checked on every input).
    """

    def __init__(self, features: nn.Sequential, num_classes: int = 1000, dropout: float = 0.5,
                 in_channels: int = 3) -> None:
        super().__init__()
        classifier = fc_head(last_conv_channels(features) * 6 * 6, num_classes, dropout=dropout,
                             dropout_first=True)
        self.in_channels = in_channels
        self.min_side = min_input_side(SHRINKS)
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = classifier

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def _conv_relu(c_in: int, c_out: int, k: int, stride: int = 1, padding: int = 0,
               groups: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, k, stride, padding, groups=groups), nn.ReLU(inplace=True)]


def _pool() -> nn.MaxPool2d:
    """A new overlapping 3×3/2 max pool each call (a shared instance would appear once in
    ``named_modules`` and hide the other two from per-layer tables)."""
    return nn.MaxPool2d(kernel_size=3, stride=2)


def torchvision_features(in_channels: int = 3) -> nn.Sequential:
    """torchvision's feature extractor: 64-192-384-256-256 channels, no LRN, one GPU.

    Args:
        in_channels: image channels.
    """
    return nn.Sequential(
        *_conv_relu(in_channels, 64, 11, stride=4, padding=2), _pool(),
        *_conv_relu(64, 192, 5, padding=2), _pool(),
        *_conv_relu(192, 384, 3, padding=1),
        *_conv_relu(384, 256, 3, padding=1),
        *_conv_relu(256, 256, 3, padding=1), _pool(),
    )


def paper_features(in_channels: int = 3, groups: int = 2,
                   lrn: bool = True) -> nn.Sequential:
    """The paper's feature extractor: 96-256-384-384-256 channels; conv 2,
    4, 5 split into ``groups`` halves (one per GPU); LRN (size 5, α = 1e-4,
    β = 0.75, k = 2) after conv 1 and 2.

    Args:
        in_channels: image channels.
        groups: 2 for the paper's two-GPU split, 1 for none.
        lrn: include the LRN layers.
    """
    if groups not in (1, 2):
        raise ValueError(f"groups must be 1 (one GPU) or 2 (the paper's "
                         f"split), got {groups}")

    def norm() -> list[nn.Module]:
        if not lrn:
            return []
        return [nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)]

    return nn.Sequential(
        *_conv_relu(in_channels, 96, 11, stride=4, padding=2), *norm(),
        _pool(),
        *_conv_relu(96, 256, 5, padding=2, groups=groups), *norm(), _pool(),
        *_conv_relu(256, 384, 3, padding=1),  # conv 3 talks across both GPUs
        *_conv_relu(384, 384, 3, padding=1, groups=groups),
        *_conv_relu(384, 256, 3, padding=1, groups=groups), _pool(),
    )


@register("alexnet", torchvision=True)
def alexnet(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> AlexNet:
    """AlexNet as torchvision builds it (61,100,840 parameters); torchvision's ``alexnet``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return AlexNet(torchvision_features(in_channels), num_classes, dropout, in_channels)


@register("alexnet_paper")
def alexnet_paper(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5,
                  groups: int = 2, lrn: bool = True) -> AlexNet:
    """AlexNet as in the paper: 96-256-384-384-256, LRN, two-GPU split as ``groups=2``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
        groups: 2 for the paper's two-GPU split, 1 for none.
        lrn: include the LRN layers.
    """
    return AlexNet(paper_features(in_channels, groups, lrn), num_classes, dropout, in_channels)
