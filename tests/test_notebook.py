"""dldna.notebook: figures drawn for the content column, the offline animation player."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dldna.book.notebook import COLUMN_INCHES, _PLAYER_ICONS, fit_to_column, use_book_style  # noqa: E402


def test_wide_figure_is_redrawn_at_the_column_width_keeping_its_shape():
    use_book_style()
    fig, ax = plt.subplots(1, 3, figsize=(10, 3))
    ax[0].set_title("a label")
    plt.tight_layout()
    assert fit_to_column(fig)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(COLUMN_INCHES) and height == pytest.approx(3 * COLUMN_INCHES / 10)
    assert plt.rcParams["font.size"] >= 9 and plt.rcParams["xtick.labelsize"] >= 9


def test_narrow_figure_is_left_alone_and_width_is_checked():
    fig = plt.figure(figsize=(5, 3))
    assert not fit_to_column(fig)
    assert tuple(fig.get_size_inches()) == (5, 3)
    with pytest.raises(ValueError, match="width"):
        fit_to_column(fig, width=0)


def test_default_figure_fits_the_column_at_90_dpi():
    use_book_style()
    fig = plt.figure()
    assert fig.get_size_inches()[0] * fig.dpi <= 640  # pixels; the column is about 690


def test_player_icons_avoid_the_media_control_block():
    assert all(not 0x2300 <= ord(c) <= 0x23FF and ord(c) < 0x1F000
               for symbol in _PLAYER_ICONS.values() for c in symbol)
