import numpy as np
import pytest
import torch
from scipy import ndimage

from dldna import filter_utils as fu
from dldna.photos import photo


@pytest.mark.parametrize("name", list(fu.KERNELS))
def test_same_padding_matches_scipy(name):
    image = photo("coins", grey=True)[:60, :70].astype(float)
    ours = fu.correlate2d(image, name)
    theirs = ndimage.correlate(image, fu.KERNELS[name], mode="mirror")
    assert ours.shape == image.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_valid_padding_and_convolution_flip():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(9, 11)), rng.normal(size=(3, 4))
    valid = fu.correlate2d(image, kernel, padding="valid")
    assert valid.shape == (7, 8)
    assert np.isclose(valid[2, 5], (image[2:5, 5:9] * kernel).sum())
    torch_ref = torch.nn.functional.conv2d(torch.tensor(image)[None, None], torch.tensor(kernel)[None, None])
    np.testing.assert_allclose(valid, torch_ref[0, 0].numpy(), atol=1e-12)
    np.testing.assert_allclose(fu.convolve2d(image, "sobel_x"), -fu.correlate2d(image, "sobel_x"))


def test_colour_images_are_converted_to_luminance():
    rgb = photo("coffee")
    np.testing.assert_allclose(fu.to_grey(rgb), rgb @ np.array([0.299, 0.587, 0.114]))


def test_signed_responses_are_not_clipped():
    responses = fu.filter_responses(photo("camera", grey=True), ["laplacian", "gradient_magnitude"])
    assert responses["laplacian"].min() < 0 < responses["laplacian"].max()
    assert responses["gradient_magnitude"].min() >= 0
    assert fu.is_signed("sobel_x") and not fu.is_signed("box_blur")


def test_show_filter_effects_draws_signed_maps_centred_on_zero():
    fig = fu.show_filter_effects(kernels=["box_blur", "laplacian"])
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3  # original + two responses
    lap = images[2]
    assert lap.get_cmap().name == "RdBu_r"
    low, high = lap.get_clim()
    assert low == -high and np.asarray(lap.get_array()).min() < 0


def test_show_filter_effects_on_a_readers_image():
    fig = fu.show_filter_effects(np.random.default_rng(0).random((20, 30)), kernels=["sharpen"])
    assert "your image" in fig._suptitle.get_text()


def test_conv_animation_plays_offline():
    html = fu.create_conv_animation().data
    assert html.count("frames[") >= 16  # 6×6 grid, 3×3 kernel: 4×4 positions
    assert "https://" not in html and "<script" in html


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("image, error, message", [
    (np.zeros(10), ValueError, r"image must be 2-D \(H×W\) or 3-D \(H×W×C\), got shape \(10,\)"),
    (np.zeros((4, 4, 4, 4)), ValueError, "image must be 2-D"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "image must have a numeric dtype.*<U1"),
    (np.zeros((8, 8, 5)), ValueError, "image must have 1 or 3 channels.*got 5 channels"),
    (np.zeros((8, 8, 2)), ValueError, "got 2 channels"),
    ("camera.png", TypeError, "image must be an array of pixel values, got str"),
    (np.zeros((0, 5)), ValueError, "image is empty"),
    (np.full((4, 4), np.nan), ValueError, "image contains NaN"),
])
def test_bad_images_are_named(image, error, message):
    with pytest.raises(error, match=message):
        fu.correlate2d(image, "sobel_x")


@pytest.mark.parametrize("kernel, error, message", [
    (np.zeros((0, 0)), ValueError, r"kernel is empty \(shape \(0, 0\)\)"),
    ([], ValueError, "kernel is empty"),
    (np.ones(3), ValueError, r"kernel must be 2-D \(kh×kw\), got shape \(3,\)"),
    (np.array([["x"]]), TypeError, "kernel must have a numeric dtype"),
    ("blurry", ValueError, "kernel name 'blurry' is unknown; known kernels: identity"),
])
def test_bad_kernels_are_named(kernel, error, message):
    with pytest.raises(error, match=message):
        fu.correlate2d(np.zeros((8, 8)), kernel)


def test_kernel_larger_than_image_and_bad_options():
    with pytest.raises(ValueError, match=r"kernel of shape \(5, 5\) is larger than"):
        fu.correlate2d(np.zeros((3, 3)), np.ones((5, 5)), padding="valid")
    with pytest.raises(ValueError, match="padding must be 'same' or 'valid'"):
        fu.correlate2d(np.zeros((8, 8)), "sobel_x", padding="full")
    with pytest.raises(ValueError, match="boundary must be 'reflect' or 'zero'"):
        fu.correlate2d(np.zeros((8, 8)), "sobel_x", boundary="wrap")


def test_named_kernels_are_read_only():
    with pytest.raises(ValueError):
        fu.KERNELS["sobel_x"][0, 0] = 5
    k = fu.get_kernel("sobel_x")
    k[0, 0] = 5  # a copy may be edited
    assert fu.KERNELS["sobel_x"][0, 0] == -1


# ------------------------------------------------------------------ display helpers

@pytest.mark.parametrize("rgba, colour", [
    ((0, 0, 0, 1), "white"), ((1, 1, 1, 1), "black"),
    ((0.4, 0.0, 0.12, 1), "white"),   # the dark red end of RdBu_r
    ((0.02, 0.19, 0.38, 1), "white"),  # the dark blue end
    ((0.97, 0.97, 0.97, 1), "black"),  # the pale middle
    ((1.0, 0.65, 0.0), "black"),       # orange, no alpha
])
def test_text_colour_is_white_on_dark_and_black_on_light(rgba, colour):
    assert fu.text_colour(rgba) == colour


def test_text_colour_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"rgba must hold colour components in \[0, 1\]"):
        fu.text_colour((255, 0, 0))


def test_annotated_cells_are_readable():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    kernel = fu.get_kernel("sharpen")
    shown = ax.imshow(kernel, cmap="RdBu_r", vmin=-5, vmax=5)
    fu.annotate_cells(ax, kernel, shown)
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["5"] == "white" and colours["0"] == "black" and colours["-1"] == "black"
    plt.close(fig)


def test_display_limits_ignore_a_few_outliers():
    response = np.concatenate([np.linspace(-10, 10, 10_000), [-5000.0, 9000.0]])
    low, high = fu.display_limits(response.reshape(1, -1), signed=True, percentile=99)
    assert low == -high and 9 < high < 11           # symmetric, set by the bulk, not the outliers
    low, high = fu.display_limits(response.reshape(1, -1) + 100, signed=False, percentile=99)
    assert 90 < low < 91 and 109 < high < 111
    np.testing.assert_allclose(fu.display_limits(np.full((3, 3), 7.0), signed=False), (6.5, 7.5))
    assert fu.display_limits(np.zeros((3, 3)), signed=True) == (-1.0, 1.0)
    with pytest.raises(ValueError, match=r"percentile must be in \(50, 100\]"):
        fu.display_limits(response.reshape(1, -1), signed=True, percentile=40)


def test_gallery_shows_sharpen_and_emboss_with_robust_limits_and_unclipped_data():
    fig = fu.show_filter_effects(kernels=["sharpen", "emboss"])
    images = [ax.images[0] for ax in fig.axes if ax.images]
    for shown in images[1:]:
        data = np.asarray(shown.get_array())
        low, high = shown.get_clim()
        assert data.min() < low < high < data.max()  # colours saturate only at the few extremes
        assert np.mean((data < low) | (data > high)) < 0.03
    assert "percentile" in fig._suptitle.get_text()


def test_plot_kernels_writes_every_weight_exactly():
    fig = fu.plot_kernels(["box_blur", "gaussian_blur", "sobel_y"], ncols=3)
    axes = [ax for ax in fig.axes if ax.images]
    assert "entries ÷ 9" in axes[0].get_title() and "entries ÷ 16" in axes[1].get_title()
    assert [t.get_text() for t in axes[1].texts] == ["1", "2", "1", "2", "4", "2", "1", "2", "1"]
    assert "sum 0" in axes[2].get_title() and "÷" not in axes[2].get_title()
    with pytest.raises(ValueError, match="kernel name 'nope' is unknown"):
        fu.plot_kernels(["nope"])


def test_limits_are_described_in_words():
    assert [fu.ordinal(n) for n in (1, 2, 3, 11, 12, 21, 99, 99.5)] == [
        "1st", "2nd", "3rd", "11th", "12th", "21st", "99th", "99.5th"]
    assert fu.limits_note(False, 99) == "colour limits: 1st–99th percentile"
    assert fu.limits_note(True, 99) == "colour limits: ±99th percentile of |value|"
    assert "data not clipped" in fu.limits_note()
