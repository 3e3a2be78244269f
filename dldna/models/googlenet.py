"""GoogLeNet / Inception v1 (Szegedy et al., 2015) built from :class:`InceptionModule`.

:func:`googlenet` is torchvision's twin: same module names, 6,624,904 parameters without the
auxiliary heads (13,004,888 with them, torchvision's default), loads torchvision's state dict
with ``strict=True``. Like torchvision, its "5×5" branch uses a 3×3 kernel (a known quirk kept
for compatibility with its pretrained weights); ``branch3_kernel=5`` builds the paper's 5×5
(registered as ``googlenet_5x5``). BatchNorm after every convolution is torchvision's addition.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..config import check_positive_ints
from .input_check import Shrink, check_input, min_input_side
from .registry import public_factory

#: The rows of the paper's table 1 for inception (3a) to (5b), in the order in, #1×1,
#: #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj.
INCEPTION_TABLE: dict[str, tuple[int, ...]] = {
    "3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}
#: conv1 7×7/2, then four max pools (3×3/2 three times, 2×2/2 once), all in ceil mode.
SHRINKS = (Shrink(7, 2, 3), Shrink(3, 2, 0, True), Shrink(3, 2, 0, True),
           Shrink(3, 2, 0, True), Shrink(2, 2, 0, True))
_ARGS = ("in_channels", "ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


class GoogLeNetOutputs(NamedTuple):
    """What a GoogLeNet with auxiliary heads returns in training mode.

    Args:
        logits: the main classifier's scores.
        aux1: the first auxiliary head's scores.
        aux2: the second auxiliary head's scores.
    """

    logits: Tensor
    aux1: Tensor
    aux2: Tensor


class BasicConv2d(nn.Module):
    """Convolution (no bias) → BatchNorm (eps 0.001) → ReLU, torchvision's names.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        conv_kwargs: further ``nn.Conv2d`` arguments (``kernel_size``, ``stride``, ``padding``).
    """

    def __init__(self, in_channels: int, out_channels: int, **conv_kwargs) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **conv_kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.bn(self.conv(x)), inplace=True)


class InceptionModule(nn.Module):
    """Four parallel branches concatenated along the channels:
    1×1 | 1×1 → 3×3 | 1×1 → 5×5 (``branch3_kernel``, 3 in torchvision) |
    3×3 max pool → 1×1 projection.

    Args:
        in_channels: input channels.
        ch1x1: outputs of the 1×1 branch.
        ch3x3red: 1×1 reduction before the 3×3.
        ch3x3: outputs of the 3×3 branch.
        ch5x5red: 1×1 reduction before the "5×5".
        ch5x5: outputs of the "5×5" branch.
        pool_proj: outputs of the pool branch's 1×1.
        branch3_kernel: kernel of the "5×5" branch.
    """

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int,
                 ch3x3: int, ch5x5red: int, ch5x5: int, pool_proj: int, *,
                 branch3_kernel: int = 3) -> None:
        super().__init__()
        channels = (in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5,
                    pool_proj)
        _check_module_args(channels, branch3_kernel)
        self.in_channels = in_channels
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            BasicConv2d(ch5x5red, ch5x5, kernel_size=branch3_kernel,
                        padding=branch3_kernel // 2))
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1))

    def forward(self, x: Tensor) -> Tensor:
        _check_module_input(self, x)
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


def _check_module_args(channels: tuple[int, ...], branch3_kernel: int) -> None:
    """ValueError unless every channel count is a positive int and the kernel is 3 or 5."""
    check_positive_ints(**dict(zip(_ARGS, channels)))
    if branch3_kernel not in (3, 5):
        raise ValueError(f"branch3_kernel must be 3 (torchvision) or 5 "
                         f"(paper), got {branch3_kernel!r}")


def _check_module_input(module: "InceptionModule", x: Tensor) -> None:
    """ValueError unless ``x`` is an (N, C, H, W) batch with the module's input channels."""
    if x.dim() != 4 or x.shape[1] != module.in_channels:
        raise ValueError(f"InceptionModule expects {module.in_channels} "
                         f"input channels, got input of shape "
                         f"{tuple(x.shape)}")


class NaiveInceptionModule(nn.Module):
    """The naive module: 1×1, 3×3 and 5×5 convolutions and a 3×3 max pool, all on the full
    input, concatenated (no 1×1 reductions; the pool passes all input channels through).

    Args:
        in_channels: input channels (also the pool branch's output).
        ch1x1: outputs of the 1×1 convolution.
        ch3x3: outputs of the 3×3 convolution.
        ch5x5: outputs of the 5×5 convolution.
    """

    def __init__(self, in_channels: int, ch1x1: int, ch3x3: int, ch5x5: int) -> None:
        super().__init__()
        check_positive_ints(in_channels=in_channels, ch1x1=ch1x1, ch3x3=ch3x3, ch5x5=ch5x5)
        self.in_channels = in_channels
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + in_channels
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = BasicConv2d(in_channels, ch3x3, kernel_size=3, padding=1)
        self.branch3 = BasicConv2d(in_channels, ch5x5, kernel_size=5, padding=2)
        self.branch4 = nn.MaxPool2d(3, stride=1, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """Auxiliary classifier: 4×4 average pool → 1×1 conv (128) → FC 1024 → dropout → FC.

    Args:
        in_channels: channels of the feature map it reads.
        num_classes: number of output scores.
        dropout: dropout probability before the last FC layer.
        grid: side of the pooled map (4 in the paper).
        width: channels of the 1×1 convolution.
        hidden: width of the hidden FC layer.
    """

    def __init__(self, in_channels: int, num_classes: int, dropout: float = 0.7,
                 grid: int = 4, width: int = 128, hidden: int = 1024) -> None:
        super().__init__()
        self.grid = grid
        self.conv = BasicConv2d(in_channels, width, kernel_size=1)
        self.fc1 = nn.Linear(width * grid * grid, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(F.adaptive_avg_pool2d(x, (self.grid, self.grid)))
        x = F.relu(self.fc1(torch.flatten(x, 1)), inplace=True)
        return self.fc2(self.dropout(x))


def _inception_stage(names, table, branch3_kernel: int, in_channels: int) -> nn.ModuleDict:
    """Modules from table rows; each row's input must be the previous module's output."""
    modules = {}
    for name in names:
        row = table[name]
        if row[0] != in_channels:
            raise ValueError(f"inception({name}) expects {row[0]} input channels but the "
                             f"layer before it gives {in_channels}")
        modules[name] = InceptionModule(*row, branch3_kernel=branch3_kernel)
        in_channels = modules[name].out_channels
    return nn.ModuleDict(modules)


class GoogLeNet(nn.Module):
    """Stem (7×7/2 conv, pool, 1×1, 3×3, pool), inception 3a–3b, pool, 4a–4e, pool, 5a–5b,
    global average pooling, dropout, FC. Auxiliary heads on 4a and 4d in training mode.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        aux_logits: build the two auxiliary heads.
        branch3_kernel: kernel of the "5×5" branch (3 as torchvision, 5 as the paper).
        dropout: dropout probability before the final FC layer.
        dropout_aux: dropout probability in the auxiliary heads.
        table: channels of each inception module; ``None`` for ``INCEPTION_TABLE`` (the paper's).
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, aux_logits: bool = True,
                 branch3_kernel: int = 3, dropout: float = 0.2, dropout_aux: float = 0.7,
                 table: Optional[dict[str, tuple[int, ...]]] = None) -> None:
        super().__init__()
        table = INCEPTION_TABLE if table is None else table
        self.in_channels, self.aux_logits = in_channels, aux_logits
        self.min_side = min_input_side(SHRINKS)
        self.conv1 = BasicConv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        stages = [("3a", "3b"), ("4a", "4b", "4c", "4d", "4e"), ("5a", "5b")]
        channels = 192
        for names in stages:  # attributes inception3a … inception5b, as in torchvision
            for name, module in _inception_stage(names, table, branch3_kernel, channels).items():
                setattr(self, f"inception{name}", module)
                channels = module.out_channels
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        if aux_logits:
            self.aux1 = InceptionAux(self.inception4a.out_channels, num_classes, dropout_aux)
            self.aux2 = InceptionAux(self.inception4d.out_channels, num_classes, dropout_aux)
        else:
            self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(channels, num_classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor):
        """Logits; ``GoogLeNetOutputs(logits, aux1, aux2)`` when training with heads.

        Args:
            x: a batch of images, (N, C, H, W).
        """
        check_input(self, x)
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        heads = self.aux_logits and self.training
        aux1 = self.aux1(x) if heads else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if heads else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        logits = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        return GoogLeNetOutputs(logits, aux1, aux2) if heads else logits


def googlenet_loss(outputs, target: Tensor,
                   aux_weight: float = 0.3) -> Tensor:
    """Loss of a network with auxiliary heads:
    main + ``aux_weight``·(aux1 + aux2).

    ``outputs`` is a ``GoogLeNetOutputs`` (training mode) or plain logits
    (then only the cross-entropy of the logits).

    Args:
        outputs: what the network returned.
        target: class indices.
        aux_weight: weight of each auxiliary loss.
    """
    if isinstance(outputs, tuple):
        logits, aux1, aux2 = outputs
        aux = F.cross_entropy(aux1, target) + F.cross_entropy(aux2, target)
        return F.cross_entropy(logits, target) + aux_weight * aux
    return F.cross_entropy(outputs, target)


#: A shallow GoogLeNet for 28×28 or 32×32 images (chapter 6's auxiliary-head experiment).
MINI_TABLE: dict[str, tuple[int, ...]] = {
    "3a": (32, 16, 16, 24, 4, 8, 8), "3b": (56, 24, 24, 32, 8, 16, 8),
    "4a": (80, 32, 24, 40, 8, 16, 16), "4b": (104, 32, 32, 48, 8, 16, 16),
    "4c": (112, 48, 32, 64, 8, 16, 16),
}


_FACTORY_ARGS = """
    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        aux_logits: build the two auxiliary heads.
        dropout: dropout probability before the final FC layer.
        dropout_aux: dropout probability in the auxiliary heads.
"""


def _variant(name: str, branch3_kernel: int, summary: str, torchvision: bool) -> Callable:
    def factory(*, num_classes: int = 1000, in_channels: int = 3, aux_logits: bool = True,
                dropout: float = 0.2, dropout_aux: float = 0.7) -> GoogLeNet:
        return GoogLeNet(num_classes, in_channels, aux_logits, branch3_kernel, dropout,
                         dropout_aux)

    return public_factory(factory, name, summary, _FACTORY_ARGS, torchvision=torchvision)


googlenet = _variant("googlenet", 3, "GoogLeNet as torchvision builds it (3×3 in the \"5×5\" "
                     "branch); torchvision's ``googlenet``.", torchvision=True)
googlenet_5x5 = _variant("googlenet_5x5", 5, "GoogLeNet with the paper's true 5×5 convolutions "
                         "in the third branch.", torchvision=False)
