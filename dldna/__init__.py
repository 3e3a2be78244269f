"""dldna: the small library behind the book *Image classification with convolutional networks*.

Chapters import what they build from here, so the code the book shows is the code that runs.

Layout: subpackages by responsibility, in layers. A module imports only from its own layer or
from lower ones, and never in a cycle (``tests/test_import_layers.py`` walks every import with
``ast`` and fails otherwise)::

    layer 0  config  checkpoint  plotting                   the base: profiles, seeds, files, figures
    layer 1  conv/  data/  filters/                          convolution by hand, datasets, image filters
    layer 2  models/  pretrained/                            networks, and bundled pretrained weights
    layer 3  train/  measure/  explain/                      training; counting and timing; hooks, Grad-CAM
             transfer/  evaluate/  deploy/                   fine-tuning; metrics and ensembles; export
    layer 4  experiments/                                    one chapter's experiment code per module
    layer 5  book/  exercises/  widgets/  bench/             notebook plumbing, checkers, widgets, benchmarks
    layer 6  chapter_07/  filter_utils  train_resnet         public paths readers of the book already use
             distributed/ and the old flat paths             (compat: see dldna._moved)

Within layer 1, ``filters`` builds on ``data`` (the bundled photos); within layer 3, ``measure``
and ``explain`` may build on ``train``. Importing ``dldna`` itself gives the base names below and
:class:`~dldna.conv.SimpleConv2d`/:class:`~dldna.conv.SimpleMaxPool2d`.

The old flat module paths (``dldna.hooks``, ``dldna.notebook``, ``dldna.recipes`` …) still import,
with a :class:`DeprecationWarning`; ``dldna._moved.MOVED`` lists where each one went.
"""
from . import _moved
from .config import (Profile, RunSize, cache_dir, downloads_allowed, get_device, get_profile,
                     seed_everything)
from .conv import SimpleConv2d, SimpleMaxPool2d

_moved.install()

__version__ = "0.1.0"

__all__ = [
    "Profile",
    "RunSize",
    "SimpleConv2d",
    "SimpleMaxPool2d",
    "cache_dir",
    "downloads_allowed",
    "get_device",
    "get_profile",
    "seed_everything",
]
