import numpy as np
import pytest

from dldna.data.photos import PHOTOS, describe, photo


@pytest.mark.parametrize("name", PHOTOS)
def test_every_bundled_photo_loads_offline(name):
    colour, grey = photo(name), photo(name, grey=True)
    assert colour.dtype == np.uint8 and colour.ndim == 3 and colour.shape[2] == 3
    assert grey.ndim == 2 and grey.shape == colour.shape[:2]
    assert colour.std() > 5  # a real picture, not a blank array
    assert describe(name)


def test_photo_is_a_copy():
    original = photo("coffee").copy()
    a = photo("coffee")
    a[:] = 0  # a reader's edit must not reach the next call
    assert np.array_equal(photo("coffee"), original)


def test_unknown_photo():
    with pytest.raises(ValueError, match="known photos: astronaut"):
        photo("eagle")
