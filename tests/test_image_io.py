"""dldna.filters.image_io.load_image: files that are not images name the file and what it held;
the bytes of an image file decode; nothing returns a 0-d array."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dldna.filters.image_io import load_image


def _png(shape=(4, 5, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full(shape, 7, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, holds", [
    ("404.png", b"<!DOCTYPE html><html><body>Not found</body></html>", "an HTML page"),
    ("notes.jpg", b"hello world", "text starting 'hello world'"),
    ("empty.png", b"", r"nothing \(0 bytes\)"),
    ("cut.png", _png()[:20], "20 bytes starting 89 50 4e 47"),
])
def test_a_file_that_is_not_an_image_names_the_file_and_its_contents(tmp_path, name, content,
                                                                     holds):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match=rf"file .*{name} is not an image PIL can read: it "
                                         rf"holds {holds}"):
        load_image(tmp_path / name)


def test_the_bytes_of_an_image_file_decode_and_junk_bytes_are_refused():
    assert load_image(_png()).shape == (4, 5, 3)
    assert load_image(bytearray(_png()), grey=True).shape == (4, 5)
    with pytest.raises(ValueError, match=r"source \(bytes\) is not an image"):
        load_image(b"\x00\x01junk")


@pytest.mark.parametrize("source", [None, {"a": 1}, 3.5, [1, 2, 3], object()])
def test_nothing_becomes_a_0d_or_1d_array(source):
    with pytest.raises(TypeError, match=r"source must be a URL, a file path, .*H×W\(×C\) array"):
        load_image(source)
