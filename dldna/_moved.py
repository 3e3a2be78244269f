"""The old flat module paths (``dldna.hooks``, ``dldna.notebook`` …), kept importable.

``dldna`` was regrouped into subpackages (see the package docstring). Every module that moved is
still importable under its old name: importing ``dldna.hooks`` gives the module
:mod:`dldna.explain.hooks` itself (the same object, so monkeypatching either name patches both)
and warns :class:`DeprecationWarning` once, like timm's ``timm.models.layers``. Names that are a
public façade (``dldna.filter_utils``) give their new home without a warning.

The old paths are served by an import hook instead of one small file per old path, so that no
file is left at an old path: git then sees each move as a rename, and edits made elsewhere to the
old files merge into the new ones.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

# old module -> new module. Keep sorted; tests/test_import_layers.py checks every entry.
MOVED: dict[str, str] = {
    "dldna.activation_speed": "dldna.experiments.activation_speed",
    "dldna.architectures": "dldna.measure.architectures",
    "dldna.attention": "dldna.experiments.attention",
    "dldna.augment": "dldna.data.augment",
    "dldna.comparison": "dldna.experiments.comparison",
    "dldna.conv_options": "dldna.conv.options",
    "dldna.conv_pool": "dldna.conv.pool",
    "dldna.counting": "dldna.measure.counting",
    "dldna.data_files": "dldna.data.files",
    "dldna.degradation": "dldna.experiments.degradation",
    "dldna.diagrams": "dldna.book.diagrams",
    "dldna.efficiency": "dldna.measure.efficiency",
    "dldna.experiment": "dldna.experiments.repeated",
    "dldna.filter_animation": "dldna.filters.animation",
    "dldna.filter_utils": "dldna.filters",
    "dldna.frequency": "dldna.filters.frequency",
    "dldna.gradcam": "dldna.explain.gradcam",
    "dldna.history": "dldna.experiments.imagenet_results",
    "dldna.hooks": "dldna.explain.hooks",
    "dldna.image_io": "dldna.filters.image_io",
    "dldna.inception": "dldna.experiments.inception",
    "dldna.notebook": "dldna.book.notebook",
    "dldna.opencv_filters": "dldna.filters.opencv",
    "dldna.photos": "dldna.data.photos",
    "dldna.quiz": "dldna.book.quiz",
    "dldna.receptive_field": "dldna.measure.receptive_field",
    "dldna.recipes": "dldna.experiments.recipes",
    "dldna.resnet_family": "dldna.experiments.resnet_family",
    "dldna.schedules": "dldna.train.schedules",
    "dldna.train_checkpoint": "dldna.train.resume",
    "dldna.train_config": "dldna.train.config",
    "dldna.train_history": "dldna.train.history",
    "dldna.train_inputs": "dldna.train.inputs",
}

# Old paths that readers of the book use: a façade, no warning.
FACADES = frozenset({"dldna.filter_utils"})


def new_name(name: str) -> str | None:
    """The new home of an old dotted name (a module, or an object in one), or ``None``.

    Args:
        name: a dotted name such as ``"dldna.augment.mix_pair"``.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    for old, new in MOVED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old):]
    return None


class _OldPathFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module path and hands back the module now living at the new one."""

    def __init__(self) -> None:
        self._specs: dict = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = MOVED[spec.name]
        if spec.name not in FACADES:
            warnings.warn(f"{spec.name} moved to {new}; import it from there",
                          DeprecationWarning, stacklevel=2)
        module = importlib.import_module(new)
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module) -> None:
        # The import system has just set the old name's spec on the real module: give its own back.
        module.__spec__ = self._specs.pop(module.__spec__.name, module.__spec__)


def install() -> None:
    """Put the old-path finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _OldPathFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _OldPathFinder())  # before the editable-install finder
