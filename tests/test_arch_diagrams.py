"""dldna.book.arch_diagrams, block_diagrams, token_diagrams: every label comes from the model
object drawn, so other channels give other labels; wrong modules are refused; nothing overlaps."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402
from torch import nn  # noqa: E402

from dldna.book import arch_diagrams as arch  # noqa: E402
from dldna.book import block_diagrams as blocks  # noqa: E402
from dldna.book import token_diagrams as tokens  # noqa: E402
from dldna.book.diagrams import FIGURE_WIDTH  # noqa: E402
from dldna.models.convnext import ConvNeXtBlock  # noqa: E402
from dldna.models.googlenet import (INCEPTION_TABLE, MINI_TABLE, GoogLeNet,  # noqa: E402
                                    InceptionModule)
from dldna.models.mobilenet import InvertedResidual  # noqa: E402
from dldna.models.resnet import BasicBlock, Bottleneck, ResNet18, ResNet50, conv1x1  # noqa: E402
from dldna.models.vit import vit_tiny  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _readable_and_apart(fig) -> None:
    """At the book's width, at 9 pt or more, no two labels overlap and none leaves the page."""
    assert fig.get_figwidth() <= FIGURE_WIDTH
    texts = [t for ax in fig.axes for t in ax.texts if t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= 9
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    page = fig.bbox
    for i, a in enumerate(boxes):
        assert page.x0 <= a.x0 and a.x1 <= page.x1 and page.y0 <= a.y0 and a.y1 <= page.y1, \
            texts[i].get_text()
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())


def _projection(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(conv1x1(c_in, c_out, stride), nn.BatchNorm2d(c_out))


# ----------------------------------------------------------------------------- Inception

@pytest.mark.parametrize("row", [INCEPTION_TABLE["3a"], INCEPTION_TABLE["5b"], MINI_TABLE["4c"]])
def test_inception_labels_are_the_modules_channels(row):
    c_in, c1, c3r, c3, c5r, c5, pool = row
    module = InceptionModule(*row)
    texts = _texts(arch.draw_inception_module(module))
    for shown in (f"{c_in}→{c1}", f"{c_in}→{c3r}", f"{c3r}→{c3}", f"{c_in}→{c5r}",
                  f"{c5r}→{c5}", f"{c_in}→{pool}", f"input: {c_in} channels"):
        assert shown in "\n".join(texts)
    total = c1 + c3 + c5 + pool
    assert f"concatenate along the channels: {c1} + {c3} + {c5} + {pool} = {total} channels" \
        in texts
    assert total == module(torch.zeros(1, c_in, 8, 8)).shape[1]


def test_inception_draws_the_kernel_the_module_has():
    three = "\n".join(_texts(arch.draw_inception_module(InceptionModule(*INCEPTION_TABLE["3a"]))))
    five = "\n".join(_texts(arch.draw_inception_module(
        InceptionModule(*INCEPTION_TABLE["3a"], branch3_kernel=5))))
    assert "5×5 conv\n16→32" in five and "5×5" not in three.replace('"5×5"', "")
    assert 'the "5×5" branch is a 3×3 here' in three and "3×3 here" not in five


def test_inception_layout_is_readable():
    _readable_and_apart(arch.draw_inception_module(InceptionModule(*INCEPTION_TABLE["4e"])))


@pytest.mark.parametrize("wrong", [nn.Conv2d(3, 8, 3), "inception", None])
def test_inception_refuses_other_modules(wrong):
    with pytest.raises(TypeError, match="module must be a InceptionModule"):
        arch.draw_inception_module(wrong)


# ----------------------------------------------------------------------------- GoogLeNet

def test_googlenet_outline_follows_forward_with_real_shapes():
    fig = arch.draw_googlenet("googlenet")
    texts = _texts(fig)
    names = [t.split("\n")[1] for t in texts if t.startswith("inception\n")]
    assert names == ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]
    assert "inception\n3a\n256×28×28" in texts and "inception\n5b\n1024×7×7" in texts
    assert "conv\n7×7 /2\n64×112×112" in texts and "FC\n1024→1000\n1000" in texts
    assert sorted(t for t in texts if t.startswith("aux head")) == [
        "aux head\non 4a\n→ 1000", "aux head\non 4d\n→ 1000"]
    _readable_and_apart(fig)


def test_googlenet_outline_changes_with_the_model():
    with torch.device("meta"):
        net = GoogLeNet(num_classes=10, aux_logits=False)
    texts = _texts(arch.draw_googlenet(net, image_size=96))
    assert "FC\n1024→10\n10" in texts and not any(t.startswith("aux head") for t in texts)
    assert "inception\n3a\n256×12×12" in texts             # 96 px: 12×12 at stage 3
    mini = _texts(arch.draw_googlenet("googlenet_mini"))
    assert "inception\n4c\n144×7×7" in mini
    assert "avg pool\nglobal\n144" in mini                  # forward's x.mean((2, 3)), found


def test_googlenet_refuses_other_models():
    with pytest.raises(TypeError, match="model must be a GoogLeNet or MiniGoogLeNet"):
        arch.draw_googlenet(ResNet18())
    with pytest.raises(ValueError, match="image_size must be an int"):
        arch.draw_googlenet("googlenet", image_size=8)


# ----------------------------------------------------------------------------- ResNet blocks

def test_residual_blocks_show_identity_and_projection():
    with torch.device("meta"):
        basic, bottleneck = ResNet18().layer1[0], ResNet50().layer2[0]
    fig = blocks.draw_residual_blocks(basic, bottleneck)
    texts = _texts(fig)
    assert "BasicBlock\nidentity shortcut" in texts and "identity" in texts
    assert "Bottleneck\nprojection shortcut" in texts
    assert "1×1 conv /2\n256→512\nBN" in texts               # the projection, from downsample
    assert "3×3 conv /2\n128→128\nBN, ReLU" in texts         # the stride sits on the 3×3
    assert "ReLU → output: 512 channels" in texts
    _readable_and_apart(fig)


@pytest.mark.parametrize("planes", [32, 48])
def test_residual_labels_follow_the_block(planes):
    block = BasicBlock(16, planes, 2, _projection(16, planes, 2))
    texts = _texts(blocks.draw_residual_blocks(block))
    assert f"3×3 conv /2\n16→{planes}\nBN, ReLU" in texts
    assert f"1×1 conv /2\n16→{planes}\nBN" in texts and "identity" not in texts


def test_residual_blocks_refuse_other_blocks():
    with pytest.raises(TypeError, match=r"blocks\[1\] must be a BasicBlock or Bottleneck"):
        blocks.draw_residual_blocks(BasicBlock(8, 8), InvertedResidual(8, 8, 1, 6))
    with pytest.raises(ValueError, match="blocks must be one or two"):
        blocks.draw_residual_blocks()


# ----------------------------------------------------------------------------- MobileNetV2

def _trapezoid_widths(fig) -> list[tuple[float, float]]:
    shapes = [p.get_xy() for p in fig.axes[0].patches if isinstance(p, Polygon)]
    return [(xy[1][0] - xy[0][0], xy[2][0] - xy[3][0]) for xy in shapes]


@pytest.mark.parametrize("c, t", [(24, 6), (16, 4)])
def test_inverted_residual_is_narrow_wide_narrow(c, t):
    fig = blocks.draw_inverted_residual(InvertedResidual(c, c, 1, t), Bottleneck(256, 64))
    texts = _texts(fig)
    assert f"1×1 conv\n{c}→{c * t}\nBN, ReLU6" in texts
    assert f"3×3 depthwise\n{c * t}\nBN, ReLU6" in texts
    assert f"1×1 conv\n{c * t}→{c}\nBN, no activation" in texts      # the linear bottleneck
    assert f"InvertedResidual\nexpansion t = {t}" in texts
    bottleneck, inverted = _trapezoid_widths(fig)[:3], _trapezoid_widths(fig)[3:]
    assert bottleneck[0][0] > bottleneck[0][1] < bottleneck[2][1]     # wide → narrow → wide
    assert inverted[0][0] < inverted[0][1] > inverted[2][1]           # narrow → wide → narrow
    _readable_and_apart(fig)


def test_inverted_residual_without_shortcut_and_wrong_arguments():
    texts = _texts(blocks.draw_inverted_residual(InvertedResidual(16, 24, 2, 6),
                                                 Bottleneck(256, 64)))
    assert "InvertedResidual\nexpansion t = 6" in texts and texts.count("identity") == 1
    assert "3×3 depthwise /2\n96\nBN, ReLU6" in texts
    with pytest.raises(TypeError, match="inverted must be a InvertedResidual"):
        blocks.draw_inverted_residual(Bottleneck(256, 64), Bottleneck(256, 64))
    with pytest.raises(TypeError, match="bottleneck must be a Bottleneck"):
        blocks.draw_inverted_residual(InvertedResidual(8, 8, 1, 6), BasicBlock(8, 8))


# ----------------------------------------------------------------------------- ConvNeXt

@pytest.mark.parametrize("dim", [96, 40])
def test_convnext_block_labels(dim):
    fig = blocks.draw_convnext_block(ConvNeXtBlock(dim, stochastic_depth_prob=0.1),
                                     beside=Bottleneck(256, 64))
    texts = _texts(fig)
    assert f"7×7 depthwise\n{dim}\nLN" in texts
    assert f"1×1 (Linear)\n{dim}→{4 * dim}\nGELU" in texts
    assert f"× layer_scale\n{dim} values\ndrop path 0.1" in texts
    assert f"output: {dim} channels" in texts
    _readable_and_apart(fig)


def test_convnext_refuses_other_blocks():
    with pytest.raises(TypeError, match="block must be a ConvNeXtBlock"):
        blocks.draw_convnext_block(Bottleneck(256, 64))
    with pytest.raises(TypeError, match="beside must be a Bottleneck or InvertedResidual"):
        blocks.draw_convnext_block(ConvNeXtBlock(8), beside=nn.Linear(2, 2))


# ----------------------------------------------------------------------------- ViT patches

def test_vit_b16_patches_and_tokens():
    fig = tokens.draw_vit_patches("vit_b_16", "chelsea")
    texts = _texts(fig)
    assert "grid: 224 / 16 = 14, so 14 × 14 = 196 patches" in texts
    assert "patch: 16×16 pixels × 3 channels = 768 numbers" in texts
    assert "+ 1 learned class token → 197 tokens" in texts
    assert "+ position embedding: 197 × 768" in texts
    assert ["0", "1", "2", "3", "4", "5", "196"] == [t for t in texts if t.isdigit()]
    grid = fig.axes[1]
    assert len(grid.get_xticks()) == 15 and grid.get_images()[0].get_array().shape == (224, 224, 3)
    _readable_and_apart(fig)


def test_vit_labels_follow_the_model():
    model = vit_tiny(image_size=32, patch_size=8, hidden_dim=48, num_heads=4)
    texts = _texts(tokens.draw_vit_patches(model, "coffee", shown=3))
    assert "grid: 32 / 8 = 4, so 4 × 4 = 16 patches" in texts
    assert "patch: 8×8 pixels × 1 channels = 64 numbers" in texts
    assert "+ position embedding: 17 × 48" in texts
    assert ["0", "1", "2", "3", "16"] == [t for t in texts if t.isdigit()]


def test_vit_refuses_wrong_arguments():
    with pytest.raises(TypeError, match="model must be a VisionTransformer"):
        tokens.draw_vit_patches(ResNet18())
    with pytest.raises(TypeError, match="image must be a photo name or a uint8"):
        tokens.draw_vit_patches(vit_tiny(), np.zeros((8, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="shown must be an int from 1 to 6"):
        tokens.draw_vit_patches(vit_tiny(), "coffee", shown=0)
