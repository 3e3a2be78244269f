"""dldna.diagrams: the schematic drawings show the sizes the layers really produce."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from dldna.book import diagrams  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        ax.get_title() for ax in fig.axes]


def _fits_the_page(fig):
    assert fig.get_figwidth() <= diagrams.FIGURE_WIDTH
    sizes = [t.get_fontsize() for ax in fig.axes for t in ax.texts + [ax.title]]
    assert min(sizes) >= 9


def test_draw_volume_corners_and_depth():
    fig, ax = plt.subplots()
    one = diagrams.draw_volume(ax, (1, 2), (4, 3, 5), depth_scale=0.5)
    assert one["front"] == (1, 2, 6, 5)                    # W wide, H high
    two = diagrams.draw_volume(ax, (0, 0), (8, 3, 5), depth_scale=0.5)
    assert np.allclose(two["depth"], 2 * np.array(one["depth"]))   # depth ∝ channels
    assert len(ax.patches) == 6                            # three faces per box
    with pytest.raises(ValueError, match="C must be a positive int"):
        diagrams.draw_volume(ax, (0, 0), (0, 3, 5))


@pytest.mark.parametrize("c_in, size, k, c_out, s, p, position", [
    (3, (7, 7), 3, 2, 2, 1, (1, 1)), (1, (5, 6), 2, 3, 1, 0, (3, 4)),
])
def test_conv_volume_figure_labels_the_real_output_shape(c_in, size, k, c_out, s, p,
                                                         position):
    fig = diagrams.conv_volume_figure(c_in, size, k, c_out, s, p, position)
    out = F.conv2d(torch.zeros(1, c_in, *size), torch.zeros(c_out, c_in, k, k),
                   stride=s, padding=p).shape[1:]
    texts = _texts(fig)
    assert f"output {out[0]}×{out[1]}×{out[2]}" in texts
    assert f"{c_out} filters\neach {c_in}×{k}×{k}" in texts
    # faces: input, window, each filter, output: three each; plus the output cell
    boxes = [patch for patch in fig.axes[0].patches if type(patch).__name__ == "Polygon"]
    assert len(boxes) == 3 * (3 + c_out)
    _fits_the_page(fig)


def test_conv_volume_figure_refuses_a_position_outside_the_output():
    with pytest.raises(ValueError, match=r"position must lie in the 4×4 output"):
        diagrams.conv_volume_figure(3, (7, 7), 3, 2, 2, 1, position=(4, 0))
    with pytest.raises(ValueError, match="kernel size k=9 is larger"):
        diagrams.conv_volume_figure(3, (7, 7), 9, 2, 1, 0, position=(0, 0))


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1), (2, 3)])
def test_pooling_figure_shows_the_maxima_of_f_max_pool2d(kernel, stride):
    values = np.arange(30).reshape(5, 6) % 7
    fig, pooled = diagrams.pooling_figure(values, kernel, stride, volume=(16, 32, 32))
    expected = F.max_pool2d(torch.tensor(values)[None].float(), kernel, stride)[0]
    assert np.array_equal(pooled, expected.numpy())
    texts = _texts(fig)
    bold = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold"]
    assert bold == [f"{v:g}" for v in pooled.ravel()]      # one bold number per window
    h_out = F.max_pool2d(torch.zeros(1, 32, 32), kernel, stride).shape[-1]
    assert f"16×{h_out}×{h_out}" in texts                   # the volume: depth unchanged
    _fits_the_page(fig)


def test_pooling_figure_checks_its_input():
    with pytest.raises(ValueError, match=r"values must be a 2-D array \(H, W\)"):
        diagrams.pooling_figure(np.zeros(4))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        diagrams.pooling_figure(np.zeros((4, 4)), 2, 0)


@pytest.mark.parametrize("c_in, c_out, groups", [(8, 8, 1), (8, 8, 2), (8, 8, 8),
                                                 (4, 6, 2)])
def test_channel_connections_follow_the_groups(c_in, c_out, groups):
    fig, ax = plt.subplots()
    lines = diagrams.channel_connections(ax, c_in, c_out, groups)
    weight = torch.nn.Conv2d(c_in, c_out, 3, groups=groups).weight
    assert lines == len(ax.lines) == weight.shape[0] * weight.shape[1]   # kernels
    y_in, y_out = np.linspace(1, 0, c_in), np.linspace(1, 0, c_out)
    for line in ax.lines:                  # every line stays inside its group
        (_, _), (a, b) = line.get_xdata(), line.get_ydata()
        c, o = int(np.argmin(abs(y_in - a))), int(np.argmin(abs(y_out - b)))
        assert c // (c_in // groups) == o // (c_out // groups)
    with pytest.raises(ValueError, match="groups=3 must divide in_channels=8"):
        diagrams.channel_connections(ax, 8, 8, 3)


def test_groups_figure_counts_and_titles():
    fig, counts = diagrams.groups_figure(8, 8, (1, 2, 8), ["dense", "AlexNet", "depthwise"])
    assert counts == [64, 32, 8]
    assert [ax.get_title() for ax in fig.axes] == ["dense\n64 kernels", "AlexNet\n32 kernels",
                                                   "depthwise\n8 kernels"]
    _fits_the_page(fig)


def test_dilation_figure_marks_the_taps_of_a_dilated_kernel():
    fig = diagrams.dilation_figure(3, (1, 2, 3))
    for ax, d in zip(fig.axes, (1, 2, 3)):
        grid = ax.images[0].get_array()
        taps = np.argwhere(np.asarray(grid) >= 1)
        unfolded = F.unfold(torch.arange(49.0).view(1, 1, 7, 7), 3, dilation=d)[0, :, 0]
        assert sorted(r * 7 + c for r, c in taps) == sorted(unfolded.long().tolist())
        assert ax.get_title() == f"dilation {d}: 9 weights\nspan {2 * d + 1}×{2 * d + 1}"
    _fits_the_page(fig)
