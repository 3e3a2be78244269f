"""Classical image filters (chapter 1) and their frequency view (chapter 3).

* :mod:`dldna.filters.core` – kernels, cross-correlation, convolution and the filter figures;
* :mod:`dldna.filters.animation` – the sliding-window animation;
* :mod:`dldna.filters.frequency` – the Fourier view of filtering;
* :mod:`dldna.filters.opencv` – the same filters through OpenCV;
* :mod:`dldna.filters.image_io` – a reader's own image: array, file or URL.

``dldna.filters`` re-exports :mod:`dldna.filters.core` and :func:`create_conv_animation` (what
``dldna.filter_utils`` offered).
"""
from .animation import create_conv_animation
from .core import *  # noqa: F401,F403
from .core import __all__ as _core_all

__all__ = [*_core_all, "create_conv_animation"]
