import numpy as np
import pytest
import torch
from scipy import ndimage

from dldna import filters as fu
from dldna.data.photos import photo


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
    with pytest.raises(ValueError, match="boundary must be one of 'reflect', 'symmetric'"):
        fu.correlate2d(np.zeros((8, 8)), "sobel_x", boundary="mirror")
    with pytest.raises(ValueError, match="too small to pad with boundary='replicate'"):
        fu.correlate2d(np.zeros((1, 8)), "sobel_x", boundary="replicate")


def test_named_kernels_are_read_only():
    with pytest.raises(ValueError):
        fu.KERNELS["sobel_x"][0, 0] = 5
    k = fu.get_kernel("sobel_x")
    k[0, 0] = 5  # a copy may be edited
    assert fu.KERNELS["sobel_x"][0, 0] == -1


# ------------------------------------------------------------------ figures

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




# ------------------------------------------------------------------ border modes, Gaussian, crops

@pytest.mark.parametrize("boundary, scipy_mode", [
    ("reflect", "mirror"), ("symmetric", "reflect"), ("replicate", "nearest"), ("wrap", "wrap"),
    ("zero", "constant")])
def test_every_border_mode_matches_scipy(boundary, scipy_mode):
    rng = np.random.default_rng(3)
    image, kernel = rng.normal(size=(7, 10)), rng.normal(size=(3, 3))
    ours = fu.correlate2d(image, kernel, boundary=boundary)
    np.testing.assert_allclose(ours, ndimage.correlate(image, kernel, mode=scipy_mode), atol=1e-12)


def test_border_modes_differ_only_at_the_border():
    image = photo("coins", grey=True)[:40, :50]
    results = {b: fu.correlate2d(image, "laplacian", boundary=b) for b in fu.BOUNDARIES}
    for result in results.values():
        np.testing.assert_allclose(result[1:-1, 1:-1], results["zero"][1:-1, 1:-1])
    assert not np.allclose(results["zero"][0], results["reflect"][0])


def test_gaussian_kernel_is_a_normalised_symmetric_bell():
    g = fu.gaussian_kernel(5, 1.0)
    assert g.shape == (5, 5) and np.isclose(g.sum(), 1.0)
    np.testing.assert_allclose(g, g.T)
    np.testing.assert_allclose(g, g[::-1, ::-1])
    assert g[2, 2] == g.max() and np.isclose(g[2, 3] / g[2, 2], np.exp(-0.5))
    # a wide Gaussian of size 3 tends to the box blur, a narrow one to the identity
    np.testing.assert_allclose(fu.gaussian_kernel(3, 1e3), fu.KERNELS["box_blur"], atol=1e-6)
    np.testing.assert_allclose(fu.gaussian_kernel(3, 0.1), fu.KERNELS["identity"], atol=1e-12)
    with pytest.raises(ValueError, match="size must be a positive odd int, got 4"):
        fu.gaussian_kernel(4, 1.0)
    with pytest.raises(ValueError, match="sigma must be a positive number, got 0"):
        fu.gaussian_kernel(3, 0)


def test_gallery_draws_an_enlarged_crop_of_the_full_image_responses():
    box = (60, 140, 32, 40)
    fig = fu.show_filter_effects(kernels=["laplacian"], crop=box)
    original, lap = [ax.images[0] for ax in fig.axes if ax.images]
    assert np.asarray(lap.get_array()).shape == (32, 40)
    full = fu.correlate2d(photo("camera", grey=True), "laplacian")
    np.testing.assert_allclose(np.asarray(lap.get_array()), full[60:92, 140:180])
    assert "rows 60–91, columns 140–179" in fig._suptitle.get_text()
    assert lap.get_interpolation() == "nearest"


def test_zoomed_view_shows_blur_and_sharpen_on_one_grey_scale():
    fig = fu.show_zoomed(kernels=("box_blur", "sharpen"), box=(150, 260, 48, 48))
    shown = [ax.images[0] for ax in fig.axes]
    assert [ax.get_title() for ax in fig.axes] == ["original", "box_blur", "sharpen"]
    assert all(s.get_clim() == (0, 255) for s in shown)
    original, blur, sharp = (np.asarray(s.get_array()) for s in shown)
    # blur lowers and sharpen raises the local contrast (mean absolute neighbour difference)
    def contrast(a):
        return np.abs(np.diff(a, axis=1)).mean()
    assert contrast(blur) < 0.8 * contrast(original) < 0.8 * contrast(sharp)
    with pytest.raises(ValueError, match="does not lie inside an image"):
        fu.show_zoomed(box=(500, 500, 48, 48))


def test_filter_animation_imports_first_in_a_fresh_interpreter():
    # dldna.filters re-exports create_conv_animation; importing the animation module first must
    # not trip over that cycle (it did: ImportError from a partially initialised module).
    import subprocess
    import sys

    code = "from dldna.filters.animation import create_conv_animation; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-500:]
