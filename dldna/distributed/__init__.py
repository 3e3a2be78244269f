"""Deprecated import path: the multi-process helpers are :mod:`dldna.train.distributed`.

``import dldna.distributed`` still works (with a :class:`DeprecationWarning`) and gives that
module's names. The package exists for its ``__main__``: ``python -m dldna.distributed RECIPE``
runs :mod:`dldna.experiments.recipes_cli`.
"""
import warnings

from dldna.train.distributed import *  # noqa: F401,F403,E402
from dldna.train.distributed import ENV_VARS, World  # noqa: F401,E402

warnings.warn("dldna.distributed moved to dldna.train.distributed; import it from there",
              DeprecationWarning, stacklevel=2)


def __getattr__(name: str):
    from dldna.train import distributed as _moved_to

    return getattr(_moved_to, name)
