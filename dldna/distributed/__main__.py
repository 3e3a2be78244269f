"""``python -m dldna.distributed RECIPE`` (and ``torchrun … -m dldna.distributed RECIPE``): the
command line lives in :mod:`dldna.experiments.recipes_cli`; this hands over to it."""
import sys

from dldna.experiments.recipes_cli import main

if __name__ == "__main__":
    sys.exit(main())
