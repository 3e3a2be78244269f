"""Convolution and max pooling written out by hand (chapters 2 and 3), checked against PyTorch.

* ``dldna.conv.scratch`` – :class:`SimpleConv2d`, the loop and im2col convolutions;
* :mod:`dldna.conv.pool` – :class:`SimpleMaxPool2d` and the loop max pool;
* :mod:`dldna.conv.options` – stride, padding, dilation and groups: checks and output sizes.

``dldna.conv`` re-exports the names of ``dldna.conv.scratch``, so ``from dldna.conv import
SimpleConv2d`` keeps working.
"""
from .scratch import *  # noqa: F401,F403
from .scratch import __all__  # noqa: F401
