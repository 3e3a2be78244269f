"""Receptive fields of a stack of layers, computed with the textbook recursion (chapter 4).

For layers with kernel k_l, stride s_l and padding p_l (in order from the input):

* jump (distance in input pixels between neighbouring outputs): j_l = j_{l−1} · s_l, j_0 = 1
* receptive field (input pixels seen by one output):            r_l = r_{l−1} + (k_l − 1) · j_{l−1}, r_0 = 1
* first input pixel seen by output 0:                           a_l = a_{l−1} − p_l · j_{l−1},  a_0 = 0

so output i of layer l sees input pixels a_l + i·j_l … a_l + i·j_l + r_l − 1 (before clipping
to the image). The same numbers are measured from input gradients in :mod:`dldna.measure.counting`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Layer:
    """One conv or pooling layer along one axis: kernel, stride, padding.

    Args:
        kernel: window size, ≥ 1.
        stride: step between windows, ≥ 1.
        padding: zero padding on each side, ≥ 0.
        name: a label for tables and figures (``""``: none).
    """

    kernel: int
    stride: int = 1
    padding: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        for field, value, minimum in (("kernel", self.kernel, 1), ("stride", self.stride, 1),
                                      ("padding", self.padding, 0)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"layer {field} must be an int, got {value!r}")
            if value < minimum:
                raise ValueError(f"layer {field} must be ≥ {minimum}, got {value}")


def as_layers(layers: Iterable) -> list[Layer]:
    """Accept ``Layer`` objects or tuples ``(kernel, stride[, padding[, name]])``.

    Args:
        layers: the layers from the input upwards, each a :class:`Layer` or a tuple.

    Returns:
        The same layers as :class:`Layer` objects.
    """
    result = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Layer):
            result.append(layer)
        elif isinstance(layer, (tuple, list)) and 1 <= len(layer) <= 4:
            result.append(Layer(*layer))
        else:
            raise TypeError(f"layers[{i}] must be a Layer or a tuple (kernel, stride[, padding]), "
                            f"got {layer!r}")
    return result


@dataclass(frozen=True)
class FieldStep:
    """The receptive-field bookkeeping after one layer.

    Args:
        layer: the layer just applied.
        jump: input pixels between neighbouring outputs of this layer.
        size: the receptive field of one output, in input pixels.
        start: the input pixel where output 0's field begins (negative: in the padding).
    """

    layer: Layer
    jump: int
    size: int
    start: int


def receptive_field_table(layers: Iterable) -> list[FieldStep]:
    """One :class:`FieldStep` per layer (jump, receptive field, first input pixel).

    Args:
        layers: the layers from the input upwards, as :class:`Layer` objects or tuples
            ``(kernel, stride[, padding])``.

    Returns:
        The bookkeeping after each layer, in the same order.
    """
    steps, jump, size, start = [], 1, 1, 0
    for layer in as_layers(layers):
        size = size + (layer.kernel - 1) * jump
        start = start - layer.padding * jump
        jump = jump * layer.stride
        steps.append(FieldStep(layer, jump, size, start))
    return steps


def receptive_field(layers: Iterable) -> int:
    """Receptive field (in input pixels, along one axis) of one output of the whole stack.

    Args:
        layers: the layers from the input upwards, as :class:`Layer` objects or tuples
            ``(kernel, stride[, padding])``; an empty stack sees one pixel.

    Returns:
        The number of input pixels one output of the last layer depends on, along one axis.
    """
    table = receptive_field_table(layers)
    return table[-1].size if table else 1


def receptive_field_region(layers: Sequence, position: int, input_size: int | None = None
                           ) -> tuple[int, int]:
    """Input pixels ``(first, last)`` (inclusive) that output ``position`` depends on.

    With ``input_size`` the range is clipped to the real pixels at every layer (padding adds
    zeros, not pixels); without it the closed formula gives the unclipped range.

    Args:
        layers: the layers from the input upwards (:class:`Layer` objects or tuples).
        position: index of the output unit along one axis, counted from 0.
        input_size: length of the input along that axis; ``None`` for no clipping.

    Returns:
        The first and last input pixel the output depends on, both inclusive.
    """
    if not isinstance(position, int) or position < 0:
        raise ValueError(f"position must be a non-negative int, got {position!r}")
    layers = as_layers(layers)
    if input_size is None:  # the closed formula: a_L + i·j_L … + r_L − 1
        if not layers:
            return position, position
        step = receptive_field_table(layers)[-1]
        first = step.start + position * step.jump
        return first, first + step.size - 1
    sizes = [input_size]
    for layer in layers:
        sizes.append(stack_output_size([layer], sizes[-1]))
    if position >= sizes[-1]:
        raise ValueError(f"position {position} is outside the output of size {sizes[-1]} "
                         f"for input size {input_size}")
    # Walk back layer by layer, dropping padding at every layer (not only at the input).
    first = last = position
    for layer, n_in in zip(reversed(layers), reversed(sizes[:-1])):
        first = max(first * layer.stride - layer.padding, 0)
        last = min(last * layer.stride - layer.padding + layer.kernel - 1, n_in - 1)
    return first, last


def stack_output_size(layers: Iterable, input_size: int) -> int:
    """Output length after the whole stack, with ⌊(n + 2p − k)/s⌋ + 1 at each layer.

    Args:
        layers: the layers from the input upwards (:class:`Layer` objects or tuples).
        input_size: length of the input along one axis, in pixels.

    Returns:
        The length of the last layer's output along that axis.
    """
    from ..conv import output_size

    n = input_size
    for layer in as_layers(layers):
        n = output_size(n, layer.kernel, layer.stride, layer.padding)
    return n


def parse_layers(text: str) -> list[Layer]:
    """Parse ``"3/1, 2/2, 3/1p1"`` (kernel/stride, optional ``p`` padding) into layers.

    Args:
        text: comma-separated layers written as ``kernel/stride``, optionally followed by
            ``p<padding>``; a missing stride means 1.

    Returns:
        The layers in the order written.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string like '3/1, 2/2', got {type(text).__name__}")
    layers = []
    for i, item in enumerate(part.strip() for part in text.split(",")):
        if not item:
            continue
        body, _, pad = item.lower().partition("p")
        kernel, _, stride = body.partition("/")
        try:
            layers.append(Layer(int(kernel), int(stride or 1), int(pad or 0)))
        except ValueError as err:
            raise ValueError(f"layer {i + 1} {item!r} is not 'kernel/stride' "
                             f"(optionally 'p<padding>'): {err}") from None
    if not layers:
        raise ValueError(f"no layers found in {text!r}; write e.g. '3/1, 2/2, 3/1'")
    return layers


def layers_from_model(model) -> list[Layer]:
    """The conv and pooling layers of a PyTorch model (in registration order), height axis.

    Args:
        model: any ``nn.Module``; its ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d`` layers are read.

    Returns:
        One :class:`Layer` per such layer, with its kernel, stride and padding along the height.
    """
    import torch.nn as nn

    layers = []
    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s, p = (module.kernel_size, module.stride, module.padding)
            first = (lambda v: v[0] if isinstance(v, tuple) else v)
            if isinstance(module, nn.Conv2d) and first(module.dilation) != 1:
                raise ValueError(f"layer {name} has dilation {module.dilation}; not supported")
            layers.append(Layer(first(k), first(s), first(p), name))
    return layers
