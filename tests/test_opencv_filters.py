"""The library's filters against OpenCV: equal up to float rounding with the border mode matched."""
import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dldna import filters as fu
from dldna.filters import opencv as of
from dldna.data.photos import photo

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def image_and_kernel(draw):
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    h, w = draw(st.integers(kh, 16)), draw(st.integers(kw, 16))
    return draw(arrays(np.float64, (h, w), elements=finite)), \
        draw(arrays(np.float64, (kh, kw), elements=finite))


@settings(max_examples=60, deadline=None)
@given(image_and_kernel(), st.sampled_from(sorted(fu.BOUNDARIES)))
def test_correlate2d_equals_cv2_filter2d(data, boundary):
    image, kernel = data
    ours = fu.correlate2d(image, kernel, boundary=boundary)
    theirs = of.filter2d(image, kernel, boundary=boundary)
    scale = np.abs(image).max() * np.abs(kernel).sum() + 1.0
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12 * scale)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(3, 12)), elements=finite),
       st.sampled_from(sorted(fu.BOUNDARIES)), st.integers(1, 2))
def test_padding_matches_cv2_copy_make_border(image, boundary, pad):
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, of.opencv_border(boundary))
    np.testing.assert_array_equal(np.pad(image, pad, mode=fu.BOUNDARIES[boundary]), padded)


def test_the_default_border_of_filter2d_is_our_reflect():
    image = photo("coins", grey=True)[:50, :60].astype(np.float64)
    theirs = cv2.filter2D(image, cv2.CV_64F, fu.KERNELS["sobel_x"])  # BORDER_DEFAULT
    np.testing.assert_allclose(fu.correlate2d(image, "sobel_x"), theirs, atol=1e-9)
    assert cv2.BORDER_DEFAULT == cv2.BORDER_REFLECT_101 == of.opencv_border("reflect")


@pytest.mark.parametrize("size, sigma", [(3, 0.8), (5, 1.1), (7, 1.5), (9, 2.0)])
def test_gaussian_kernel_equals_cv2_get_gaussian_kernel(size, sigma):
    g = cv2.getGaussianKernel(size, sigma)
    np.testing.assert_allclose(fu.gaussian_kernel(size, sigma), g @ g.T, atol=1e-15)


def test_cv2_gaussian_blur_equals_the_books_gaussian_blur():
    g = cv2.getGaussianKernel(3, 0)  # sigma <= 0: OpenCV's fixed binomial table for size 3
    np.testing.assert_array_equal(g @ g.T, fu.KERNELS["gaussian_blur"])
    image = photo("camera", grey=True)[:64, :64].astype(np.float64)
    blurred = cv2.GaussianBlur(image, (3, 3), 0)
    np.testing.assert_allclose(blurred, fu.correlate2d(image, "gaussian_blur"), atol=1e-9)


def test_cv2_sobel_equals_the_books_sobel_kernels():
    image = photo("coins", grey=True)[:40, :40].astype(np.float64)
    gx = cv2.Sobel(image, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(image, cv2.CV_64F, 0, 1, ksize=3)
    np.testing.assert_allclose(gx, fu.correlate2d(image, "sobel_x"), atol=1e-9)
    np.testing.assert_allclose(gy, fu.correlate2d(image, "sobel_y"), atol=1e-9)


def test_imread_returns_blue_green_red():
    rgb, as_read = of.read_like_opencv("chelsea")
    np.testing.assert_array_equal(as_read, rgb[..., ::-1])
    np.testing.assert_array_equal(cv2.cvtColor(as_read, cv2.COLOR_BGR2RGB), rgb)


def test_figures_draw_what_they_say():
    fig = of.plot_border_modes((1, 2, 3, 4), pad=2)
    wrap = [ax for ax in fig.axes if "BORDER_WRAP" in ax.get_yticklabels()[0].get_text()][0]
    np.testing.assert_array_equal(np.asarray(wrap.images[0].get_array()),
                                  [[3, 4, 1, 2, 3, 4, 1, 2]])
    fig = of.plot_bgr_pitfall("coffee")
    shown = [np.asarray(ax.images[0].get_array()) for ax in fig.axes]
    np.testing.assert_array_equal(shown[1], shown[0][..., ::-1])
    np.testing.assert_array_equal(shown[2], shown[0])
    fig = of.plot_edge_pipelines(photo("camera", grey=True), "sobel_x", box=(60, 140, 64, 64))
    canny = np.asarray(fig.axes[2].images[0].get_array())
    assert canny.shape == (64, 64) and set(np.unique(canny)) <= {0, 255} and canny.max() == 255


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="boundary must be one of 'reflect'"):
        of.opencv_border("mirror")
    with pytest.raises(ValueError, match="1 <= pad < 3"):
        of.plot_border_modes((1, 2, 3), pad=3)
    with pytest.raises(ValueError, match="thresholds must be"):
        of.plot_edge_pipelines(np.zeros((8, 8)), "sobel_x", thresholds=(200, 100))
