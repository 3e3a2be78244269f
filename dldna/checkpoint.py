"""Checkpoints that survive a crash: atomic writes, safe loads, all-or-nothing restores.

* :func:`save_checkpoint` writes to a temporary file in the same folder and renames it over the
  old one (``os.replace``), so a kill at any moment leaves either the old or the new file, never a
  half-written one.
* :func:`load_checkpoint` always uses ``torch.load(..., weights_only=True)`` (no pickled code is
  ever run) and turns a truncated, corrupt or foreign file into a :class:`CheckpointError` that
  says what is wrong.
* :func:`restore_model` checks every key and shape *before* copying anything, then loads with
  ``strict=True``: a model is either fully restored or left untouched.
"""
from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch
from torch import nn

FORMAT = "dldna-checkpoint-v1"
_PLAIN = (str, int, float, bool, type(None), torch.dtype)


def plain(value: Any, where: str = "state", *, str_keys: bool = False) -> Any:
    """``value`` in the types ``torch.load(weights_only=True)`` reads back, or a TypeError.

    NumPy scalars become Python numbers, NumPy arrays tensors (string arrays lists), tensors are
    detached and moved to the CPU, a :class:`~pathlib.Path` becomes a str; lists, tuples and
    dicts are converted item by item. Anything else (an object, a function) is refused here,
    when the file is written, never when it is read back.

    Args:
        value: what to store.
        where: its name in error messages, e.g. ``"info"``.
        str_keys: also refuse dict keys that are not strings.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biufc":
            return torch.from_numpy(np.ascontiguousarray(value).copy())
        return plain(value.tolist(), where, str_keys=str_keys)
    if isinstance(value, (list, tuple)):
        items = [plain(item, f"{where}[{i}]", str_keys=str_keys) for i, item in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            key = key.item() if isinstance(key, np.generic) else key
            if not isinstance(key, (str, int)) or (str_keys and not isinstance(key, str)):
                raise TypeError(f"{where} has a non-str key {key!r}: use str keys, e.g. "
                                f"str({key!r})")
            out[key] = plain(item, f"{where}[{key!r}]", str_keys=str_keys)
        return out
    raise TypeError(f"{where} must hold only numbers, strings, None, tensors, NumPy arrays, "
                    f"lists and dicts (a weights-only file stores no objects), got "
                    f"{type(value).__name__}; store its numbers or its str() instead")


def _target(path: str | Path) -> Path:
    """The absolute file path to write; its folder is created, a folder path is refused."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a pathlib.Path, got {type(path).__name__}")
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise ValueError(f"path {path} is a folder; give a file name inside it, "
                                f"e.g. {path / 'model.pt'}")
    if path.parent.exists() and not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: {path.parent} is a file, not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: missing, truncated, foreign or for another model."""


def save_checkpoint(path: str | Path, state: Mapping[str, Any], *, kind: str = FORMAT) -> Path:
    """Write ``state`` (tensors, numbers, strings, lists, dicts) atomically to ``path``.

    Args:
        path: the file to write (its folder is created); a partial file is never left behind.
        state: what to store: tensors, numbers, strings, lists and dicts (NumPy values are
            converted by :func:`plain`; anything else is a TypeError before writing).
        kind: the format name stored with it, checked again on loading.

    Returns:
        The absolute path written.
    """
    payload = plain({"format": kind, **state})
    path = _target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def load_checkpoint(path: str | Path, *, kind: str | tuple[str, ...] = FORMAT) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`; clear errors for anything else.

    ``kind`` is the format expected, or a tuple of accepted formats (a current one and the
    older ones a reader may still have on disk); ``state["format"]`` says which it was.

    Args:
        path: the file to read.
        kind: the format expected, or a tuple of accepted formats.

    Returns:
        The stored dict, its ``"format"`` entry included.
    """
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    path = Path(path).expanduser()
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # truncated zip, random bytes, pickled code ...
        raise CheckpointError(f"{path} is not a readable checkpoint (truncated or corrupt?): "
                              f"{type(err).__name__}: {str(err)[:200]}") from err
    if not isinstance(state, dict) or state.get("format") not in kinds:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise CheckpointError(f"{path} is not a {' or '.join(kinds)} file (found format "
                              f"{found!r}); it was not written by this library")
    return state


def check_state_dict(model: nn.Module, state_dict: Mapping[str, torch.Tensor],
                     what: str = "checkpoint") -> None:
    """Raise :class:`CheckpointError` unless ``state_dict`` has exactly the model's keys/shapes.

    Args:
        model: the model the weights are meant for.
        state_dict: the weights to check.
        what: names the source of the weights in the error message.
    """
    if not isinstance(state_dict, Mapping):
        raise CheckpointError(f"the {what} holds no model weights")
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    wrong = [f"{k}: {tuple(state_dict[k].shape)} vs {tuple(v.shape)}" for k, v in own.items()
             if k in state_dict and tuple(state_dict[k].shape) != tuple(v.shape)]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} key(s), e.g. {missing[:3]}")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected key(s), e.g. {unexpected[:3]}")
        if wrong:
            parts.append(f"{len(wrong)} shape mismatch(es), e.g. {wrong[:2]} (file vs model)")
        raise CheckpointError(f"the {what} does not fit {type(model).__name__}: "
                              + "; ".join(parts))


def restore_model(model: nn.Module, state_dict: Mapping[str, torch.Tensor],
                  what: str = "checkpoint") -> None:
    """Load weights all-or-nothing: validate first, then ``load_state_dict(strict=True)``.

    Args:
        model: the model to load into; unchanged if the weights do not fit.
        state_dict: the weights to load.
        what: names the source of the weights in the error message.
    """
    check_state_dict(model, state_dict, what)
    model.load_state_dict(state_dict, strict=True)


# --------------------------------------------------------------------------------------------
# Random-number-generator states, stored as plain tensors/ints so weights_only loading works.

def rng_state() -> dict[str, Any]:
    """Every global RNG the training loop touches (Python, NumPy, torch CPU and CUDA)."""
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": [version, list(internal), gauss],
        "numpy": [kind, torch.from_numpy(np.asarray(keys, dtype=np.int64)), int(pos),
                  int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Mapping[str, Any]) -> None:
    """Undo :func:`rng_state`: put every global RNG back where it was.

    Args:
        state: a dict returned by :func:`rng_state`.
    """
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
