"""``dldna.chapter_07.filter_utils`` (compatibility): the filter gallery and the animation.

An image may be a URL, a file path or an array (:func:`dldna.filters.image_io.load_image`). A URL is
downloaded only when downloads are allowed, and cached; offline, or when the fetch fails, one
line says so and the bundled photo 'camera' (scikit-image's cameraman) is used instead.
"""
from __future__ import annotations

import numpy as np

from .. import filters as _fu
from ..filters.image_io import load_image

FALLBACK_PHOTO = "camera"
# The photo the original used (an OpenCV sample); fetched only when downloads are allowed.
DEFAULT_IMAGE_URL = "https://raw.githubusercontent.com/opencv/opencv/master/samples/data/building.jpg"


def show_filter_effects(image=DEFAULT_IMAGE_URL, **kwargs):
    """Apply the classic kernels to ``image`` (URL, path or array) and draw the responses;
    keyword arguments go to :func:`dldna.filters.show_filter_effects`.

    Args:
        image: a URL, a file path or an array; the cameraman photo stands in when a URL
            cannot be fetched.
        kwargs: passed on to ``dldna.filter_utils.show_filter_effects``.
    """
    return _fu.show_filter_effects(load_image(image, grey=True, fallback=FALLBACK_PHOTO),
                                   **kwargs)


def create_convolution_animation(image=None, **kwargs):
    """:func:`dldna.filters.animation.create_conv_animation`; given an ``image`` (URL, path or
    array), the window slides over an 8×8 grey thumbnail of it, as in the original.

    Args:
        image: a URL, a file path or an array; ``None`` for the default input.
        kwargs: passed on to ``dldna.filter_animation.create_conv_animation``.
    """
    if image is None:
        return _fu.create_conv_animation(**kwargs)
    from PIL import Image

    grey = np.clip(load_image(image, grey=True, fallback=FALLBACK_PHOTO), 0, 255).astype(np.uint8)
    thumbnail = np.asarray(Image.fromarray(grey).resize((8, 8), Image.Resampling.LANCZOS))
    return _fu.create_conv_animation(thumbnail, **kwargs)


__all__ = ["DEFAULT_IMAGE_URL", "show_filter_effects", "create_convolution_animation"]
