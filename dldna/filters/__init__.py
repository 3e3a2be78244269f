"""Classical image filters (chapter 1) and their frequency view (chapter 3).

* ``dldna.filters.core`` – kernels, cross-correlation and convolution;
* ``dldna.filters.figures`` – the filter figures (kernels, a photo through filters, a zoom);
* :mod:`dldna.filters.animation` – the sliding-window animation;
* :mod:`dldna.filters.frequency` – the Fourier view of filtering;
* :mod:`dldna.filters.fourier` – the DFT as a matrix, and an image's spectrum;
* :mod:`dldna.filters.opencv` – the same filters through OpenCV;
* :mod:`dldna.filters.image_io` – a reader's own image: array, file or URL.

``dldna.filters`` re-exports ``dldna.filters.core``, ``dldna.filters.figures`` and
:func:`create_conv_animation` (what ``dldna.filter_utils`` offered).
"""
from .animation import create_conv_animation
from .core import *  # noqa: F401,F403
from .core import __all__ as _core_all
from .figures import plot_kernels, show_filter_effects, show_zoomed

__all__ = [*_core_all, "create_conv_animation", "plot_kernels", "show_filter_effects",
           "show_zoomed"]
