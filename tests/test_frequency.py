"""dldna.frequency: DFT, the convolution theorem, frequency responses, 1×1 conv = matmul."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dldna.filters import frequency as fq
from dldna.filters import KERNELS, get_kernel
from dldna.data.photos import photo

finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=32)


def test_dft_matches_numpy():
    x = np.random.default_rng(0).normal(size=17)
    assert np.allclose(fq.dft(x), np.fft.fft(x))
    assert np.allclose(fq.dft_matrix(4) @ np.eye(4)[1], [1, -1j, -1, 1j])
    with pytest.raises(ValueError, match="signal must be a non-empty 1-D array"):
        fq.dft(np.zeros((2, 2)))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=finite),
       arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=finite))
def test_convolution_theorem(image, kernel):
    result = fq.convolution_theorem_check(image, kernel)
    scale = np.abs(result["spatial"]).max()
    if scale > 1e-6:
        assert result["relative_error"] <= 1e-6
    assert result["fft"].shape == (image.shape[0] + kernel.shape[0] - 1,
                                   image.shape[1] + kernel.shape[1] - 1)


def test_theorem_on_a_photo_and_wrap_around_without_padding():
    image = photo("camera", grey=True)[::4, ::4]
    result = fq.convolution_theorem_check(image, KERNELS["sobel_x"])
    assert result["relative_error"] <= 1e-6
    assert result["circular_relative_error"] > 0.01  # no padding: the borders wrap around


@pytest.mark.parametrize("name", ["box_blur", "gaussian_blur", "laplacian", "sobel_x", "sobel_y"])
def test_frequency_responses(name):
    kernel = get_kernel(name)
    response = fq.frequency_response(kernel, size=32)
    centre = response[16, 16]  # zero frequency = sum of the weights
    assert centre == pytest.approx(kernel.sum())
    if name.startswith("sobel"):
        assert np.abs(response.real).max() < 1e-9          # antisymmetric: purely imaginary
    else:
        assert np.abs(response.imag).max() < 1e-9          # symmetric: real
    if "blur" in name:  # low-pass: strongest at zero frequency
        assert np.abs(response).max() == pytest.approx(abs(centre))
    if name == "laplacian":  # high-pass: zero at zero frequency, largest at the corners
        assert abs(centre) < 1e-9 and np.abs(response[0, 0]) == pytest.approx(8)


def test_low_and_high_pass_split_the_photo():
    image = photo("camera", grey=True)[::4, ::4].astype(float)
    for profile in ("gaussian", "ideal"):
        low = fq.frequency_filter(image, 0.05, kind="low", profile=profile)
        high = fq.frequency_filter(image, 0.05, kind="high", profile=profile)
        assert np.allclose(low + high, image, atol=1e-8)       # the masks add up to 1
        assert abs(high.mean()) < 1e-6                          # high-pass removes the mean
        assert np.abs(np.diff(low, axis=1)).mean() < np.abs(np.diff(image, axis=1)).mean()
    with pytest.raises(ValueError, match="cutoff must be in"):
        fq.frequency_filter(image, 0.7)
    with pytest.raises(ValueError, match="kind must be 'low' or 'high'"):
        fq.frequency_mask((8, 8), 0.1, kind="band")


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(1, 6),
       st.booleans(), st.integers(0, 2**16))
def test_conv1x1_is_a_matmul_over_channels(n, c_in, c_out, size, bias, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, size, size, generator=g)
    w = torch.randn(c_out, c_in, 1, 1, generator=g)
    b = torch.randn(c_out, generator=g) if bias else None
    expected = F.conv2d(x, w, b)
    assert torch.allclose(fq.conv1x1_as_matmul(x, w, b), expected, atol=1e-4)
    assert torch.allclose(fq.conv1x1_as_matmul(x, w[:, :, 0, 0], b), expected, atol=1e-4)


def test_conv1x1_errors_and_check():
    assert fq.conv1x1_check() < 1e-5
    with pytest.raises(ValueError, match="channel mismatch: x has C_in=3"):
        fq.conv1x1_as_matmul(torch.zeros(1, 3, 2, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="weight must be a 1×1 kernel"):
        fq.conv1x1_as_matmul(torch.zeros(1, 3, 2, 2), torch.zeros(4, 3, 3, 3))


def test_figures_draw():
    fig = fq.plot_frequency_responses(size=32)
    assert len(fig.axes) >= 12
    fig = fq.plot_low_high_pass(photo("camera", grey=True)[::8, ::8], cutoff=0.05, title="camera")
    assert len(fig.axes) == 9 and fig.get_size_inches()[0] <= 7
    # the cutoff is drawn: a circle of radius 0.05 on the spectrum and on both masks
    circles = [patch for ax in fig.axes for patch in ax.patches
               if type(patch).__name__ == "Circle"]
    assert len(circles) == 3 and all(c.radius == 0.05 for c in circles)
    fig = fq.plot_frequency_responses(("gaussian_blur",), size=16)
    magnitude = fig.axes[1].images[0]
    assert magnitude.origin == "lower" and magnitude.get_extent()[2] < magnitude.get_extent()[3]
    magnitude, phase = fq.spectrum(np.ones((8, 8)))
    assert magnitude.shape == phase.shape == (8, 8)


def test_unpadded_error_is_confined_to_a_border_k_minus_1_wide():
    rng = np.random.default_rng(1)
    image, kernel = rng.random((20, 24)), rng.random((5, 3))
    check = fq.convolution_theorem_check(image, kernel)
    assert check["wrap_border"] == (4, 2)
    assert check["circular_relative_error"] > 0.05 and check["circular_interior_error"] < 1e-12
