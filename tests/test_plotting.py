import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dldna import filters as filter_utils, plotting  # noqa: E402


@pytest.mark.parametrize("rgba, colour", [
    ((0, 0, 0, 1), "white"), ((1, 1, 1, 1), "black"),
    ((0.4, 0.0, 0.12, 1), "white"),   # the dark red end of RdBu_r
    ((0.02, 0.19, 0.38, 1), "white"),  # the dark blue end
    ((0.97, 0.97, 0.97, 1), "black"),  # the pale middle
    ((1.0, 0.65, 0.0), "black"),       # orange, no alpha
])
def test_text_colour_is_white_on_dark_and_black_on_light(rgba, colour):
    assert plotting.text_colour(rgba) == colour


def test_text_colour_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"rgba must hold colour components in \[0, 1\]"):
        plotting.text_colour((255, 0, 0))


def test_annotated_cells_are_readable():
    fig, ax = plt.subplots()
    kernel = filter_utils.get_kernel("sharpen")
    shown = ax.imshow(kernel, cmap="RdBu_r", vmin=-5, vmax=5)
    plotting.annotate_cells(ax, kernel, shown)
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["5"] == "white" and colours["0"] == "black" and colours["-1"] == "black"
    plt.close(fig)


def test_display_limits_ignore_a_few_outliers():
    response = np.concatenate([np.linspace(-10, 10, 10_000), [-5000.0, 9000.0]])
    low, high = plotting.display_limits(response.reshape(1, -1), signed=True, percentile=99)
    assert low == -high and 9 < high < 11           # symmetric, set by the bulk, not the outliers
    low, high = plotting.display_limits(response.reshape(1, -1) + 100, signed=False, percentile=99)
    assert 90 < low < 91 and 109 < high < 111
    flat = plotting.display_limits(np.full((3, 3), 7.0), signed=False)
    np.testing.assert_allclose(flat, (6.5, 7.5))
    assert plotting.display_limits(np.zeros((3, 3)), signed=True) == (-1.0, 1.0)
    with pytest.raises(ValueError, match=r"percentile must be in \(50, 100\]"):
        plotting.display_limits(response.reshape(1, -1), signed=True, percentile=40)


def test_limits_are_described_in_words():
    assert [plotting.ordinal(n) for n in (1, 2, 3, 11, 12, 21, 99, 99.5)] == [
        "1st", "2nd", "3rd", "11th", "12th", "21st", "99th", "99.5th"]
    assert plotting.limits_note(False, 99) == "colour limits: 1st–99th percentile"
    assert plotting.limits_note(True, 99) == "colour limits: ±99th percentile of |value|"
    assert "data not clipped" in plotting.limits_note()


@pytest.mark.parametrize("values, labels, d", [
    (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),
    (np.full((3, 3), 1 / 9), np.ones((3, 3), int), 9),
    (np.array([[-1.0, 0.0, 1.0]]), [[-1, 0, 1]], 1),
])
def test_fraction_labels_write_a_kernel_exactly(values, labels, d):
    got, denominator = plotting.fraction_labels(values)
    assert denominator == d == plotting.common_denominator(values)
    np.testing.assert_array_equal(got, labels)
    np.testing.assert_allclose(got / denominator, values)


def test_fraction_labels_give_up_on_irrational_weights():
    assert plotting.fraction_labels(np.array([[np.pi, 1.0]])) == (None, 1)
    assert plotting.common_denominator(np.array([[np.sqrt(2)]])) == 1
    with pytest.raises(ValueError, match="largest must be a positive int"):
        plotting.common_denominator(np.ones((2, 2)), largest=0)
    with pytest.raises(ValueError, match="values contains NaN"):
        plotting.fraction_labels(np.array([[np.nan]]))


def test_annotate_cells_checks_the_labels_shape():
    fig, ax = plt.subplots()
    shown = ax.imshow(np.eye(2))
    with pytest.raises(ValueError, match=r"labels must have the shape of values \(2, 2\)"):
        plotting.annotate_cells(ax, np.eye(2), shown, labels=[["a"]])
    plt.close(fig)


def test_crop_box_cuts_inside_the_image_only():
    image = np.arange(100).reshape(10, 10)
    np.testing.assert_array_equal(plotting.crop_box(image, (2, 3, 2, 4)), image[2:4, 3:7])
    with pytest.raises(ValueError, match=r"does not lie inside an image of shape \(10, 10\)"):
        plotting.crop_box(image, (8, 0, 3, 3))
    with pytest.raises(TypeError, match="box must be four ints"):
        plotting.crop_box(image, (1.5, 0, 3, 3))


def test_old_names_stay_importable_from_filter_utils():
    for name in ("annotate_cells", "text_colour", "display_limits", "limits_note", "ordinal",
                 "DISPLAY_PERCENTILE", "common_denominator", "crop_box"):
        assert getattr(filter_utils, name) is getattr(plotting, name)
