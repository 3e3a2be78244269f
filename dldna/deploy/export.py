"""Export a classifier to ONNX and to a ``torch.export`` program, and check what comes back.

An export is only done when its outputs have been compared with the PyTorch model's on real
inputs: :func:`check_parity` reports the largest logit difference and refuses an export whose
predicted classes differ. :func:`compare_exports` adds each file's size and its CPU latency per
image beside the PyTorch model's.

* ONNX: ``torch.onnx.export`` with the dynamo exporter (the default since torch 2.9; it needs
  ``onnx`` and ``onnxscript``), run in ``onnxruntime``. When the dynamo exporter fails, the older
  TorchScript-based one (``dynamo=False``) is used and the reason is recorded.
* ``torch.export``: the program is saved with ``torch.export.save`` and loaded back with
  ``torch.export.load``. (TorchScript itself is deprecated upstream in favour of ``torch.export``.)

Both exports keep the batch dimension dynamic; the image size and channel count are fixed, and
the loaded models refuse other shapes with a ``ValueError``.
"""
from __future__ import annotations

import io
import statistics
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn


class ParityError(AssertionError):
    """An exported model predicts other classes than the PyTorch model on the same inputs."""


def _check_images(images: Tensor, shape: tuple[int, ...] | None = None,
                  name: str = "images") -> None:
    if not isinstance(images, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(images).__name__}")
    if images.ndim != 4 or not images.is_floating_point():
        raise ValueError(f"{name} must be a float N×C×H×W tensor, got {images.dtype} with "
                         f"shape {tuple(images.shape)}")
    if shape is not None and tuple(images.shape[1:]) != tuple(shape):
        raise ValueError(f"{name} must have C×H×W = {'×'.join(map(str, shape))} (the exported "
                         f"input), got {'×'.join(map(str, images.shape[1:]))}")


def eval_mode(model: nn.Module) -> nn.Module:
    """Put ``model`` in eval mode, with a warning when it was training (BatchNorm would use the
    batch's statistics and dropout would be on in the export)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if model.training:
        warnings.warn("model was in training mode; switched to eval mode for the export "
                      "(BatchNorm running statistics, no dropout)", stacklevel=3)
        model.eval()
    return model


class ExportedClassifier:
    """An exported model behind one call: float N×C×H×W tensor in, logits tensor out.

    Args:
        run: the function that maps a float32 tensor to logits.
        input_shape: the C×H×W the export was made for; other shapes raise ``ValueError``.
        path: the file it was loaded from.
        kind: ``"onnx"`` or ``"torch.export"``.
        exporter: how the file was produced (e.g. ``"dynamo"`` or the fallback and its reason).
    """

    def __init__(self, run: Callable[[Tensor], Tensor], input_shape: tuple[int, int, int],
                 path: Path, kind: str, exporter: str = "") -> None:
        self._run, self.input_shape, self.path = run, tuple(input_shape), Path(path)
        self.kind, self.exporter = kind, exporter

    def __call__(self, images: Tensor) -> Tensor:
        _check_images(images, self.input_shape)
        return self._run(images.detach().to("cpu", torch.float32).contiguous())

    def __repr__(self) -> str:
        return f"ExportedClassifier({self.kind}, {self.path.name}, input=N×{self.input_shape})"


def export_onnx(model: nn.Module, example: Tensor, path: str | Path) -> str:
    """Write ``model`` as one ONNX file (dynamic batch); returns which exporter made it.

    Args:
        model: the classifier (switched to eval mode, with a warning if it was training).
        example: a float N×C×H×W batch, N ≥ 2, with the input shape to export.
        path: the ``.onnx`` file to write.

    Returns:
        ``"dynamo"``, or ``"torchscript (dynamo failed: …)"`` when the fallback was needed.
    """
    eval_mode(model)
    _check_images(example, name="example")
    if example.shape[0] < 2:
        raise ValueError("example needs a batch of at least 2 so the batch size stays dynamic")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a copy: a slice would drag its whole storage into the saved sample inputs
    example = example.detach().to("cpu", torch.float32).clone()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's progress chatter
            torch.onnx.export(model, (example,), str(path), dynamo=True, external_data=False,
                              input_names=["images"], output_names=["logits"],
                              dynamic_shapes=({0: torch.export.Dim.DYNAMIC},), verbose=False)
        return "dynamo"
    except Exception as err:  # the dynamo exporter does not cover every model yet
        reason = f"{type(err).__name__}: {str(err).splitlines()[0][:120]}" if str(err) else \
            type(err).__name__
        torch.onnx.export(model, (example,), str(path), dynamo=False, input_names=["images"],
                          output_names=["logits"], dynamic_axes={"images": {0: "batch"},
                                                                  "logits": {0: "batch"}})
        return f"torchscript (dynamo failed: {reason})"


def load_onnx(path: str | Path, *, threads: int | None = None) -> ExportedClassifier:
    """An onnxruntime session on the CPU for the file, behind :class:`ExportedClassifier`.

    Args:
        path: the ``.onnx`` file.
        threads: intra-op threads for onnxruntime (``None``: torch's current count).
    """
    import onnxruntime as ort

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; export it first with export_onnx")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    shape = tuple(int(d) for d in inp.shape[1:])

    def run(images: Tensor) -> Tensor:
        (logits,) = session.run(None, {inp.name: images.numpy()})
        return torch.from_numpy(np.asarray(logits))

    return ExportedClassifier(run, shape, path, "onnx")


def export_program(model: nn.Module, example: Tensor, path: str | Path) -> Path:
    """Save ``torch.export.export(model, ...)`` (dynamic batch) to a ``.pt2`` file.

    Args:
        model: the classifier (switched to eval mode, with a warning if it was training).
        example: a float N×C×H×W batch, N ≥ 2, with the input shape to export.
        path: the ``.pt2`` file to write.
    """
    eval_mode(model)
    _check_images(example, name="example")
    if example.shape[0] < 2:
        raise ValueError("example needs a batch of at least 2 so the batch size stays dynamic")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a copy: a slice would drag its whole storage into the saved sample inputs
    example = example.detach().to("cpu", torch.float32).clone()
    program = torch.export.export(model, (example,),
                                  dynamic_shapes=({0: torch.export.Dim.DYNAMIC},))
    torch.export.save(program, str(path))
    return path


def load_program(path: str | Path) -> ExportedClassifier:
    """Load a saved ``torch.export`` program and wrap its module.

    Args:
        path: the ``.pt2`` file written by :func:`export_program`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; export it first with export_program")
    program = torch.export.load(str(path))
    placeholder = next(n for n in program.graph.nodes if n.op == "placeholder"
                       and n.name not in program.graph_signature.inputs_to_parameters
                       and n.name not in program.graph_signature.inputs_to_buffers)
    shape = tuple(int(d) for d in placeholder.meta["val"].shape[1:])
    module = program.module()

    def run(images: Tensor) -> Tensor:
        with torch.inference_mode():
            return module(images)

    return ExportedClassifier(run, shape, path, "torch.export", "torch.export")


@dataclass(frozen=True)
class Parity:
    """How closely an export reproduces the PyTorch model on the same images.

    Args:
        max_abs_logit_diff: the largest absolute logit difference over all images and classes.
        same_predictions: whether every image gets the same class (argmax).
        n_images: how many images were compared.
    """

    max_abs_logit_diff: float
    same_predictions: bool
    n_images: int


def _batched(fn: Callable[[Tensor], Tensor], images: Tensor, batch_size: int) -> Tensor:
    return torch.cat([fn(images[i:i + batch_size]) for i in range(0, len(images), batch_size)])


def check_parity(model: nn.Module, exported: Callable[[Tensor], Tensor], images: Tensor, *,
                 batch_size: int = 64) -> Parity:
    """Compare an export with the PyTorch model on ``images``; raise if a class differs.

    Args:
        model: the PyTorch classifier (in eval mode).
        exported: the exported model, e.g. from :func:`load_onnx` or :func:`load_program`.
        images: a float N×C×H×W batch of real inputs.
        batch_size: images per call.

    Raises:
        ParityError: some image gets a different class from the export.
    """
    _check_images(images)
    eval_mode(model)
    with torch.inference_mode():
        reference = _batched(model, images, batch_size)
    logits = _batched(exported, images, batch_size)
    if logits.shape != reference.shape:
        raise ParityError(f"the export returns shape {tuple(logits.shape)}, PyTorch "
                          f"{tuple(reference.shape)}")
    diff = float((logits - reference).abs().max())
    same = bool(torch.equal(logits.argmax(1), reference.argmax(1)))
    if not same:
        changed = int((logits.argmax(1) != reference.argmax(1)).sum())
        raise ParityError(f"the export predicts another class for {changed} of {len(images)} "
                          f"images (max |Δlogit| = {diff:.3g})")
    return Parity(diff, same, len(images))


def latency_ms(fn: Callable[[Tensor], Tensor], images: Tensor, *, repeats: int = 20,
               warmup: int = 3) -> float:
    """The median wall time of one call on a single image, in milliseconds.

    Args:
        fn: the model or export to time.
        images: a float N×C×H×W batch; image ``i % N`` is used for call ``i``.
        repeats: timed calls, ≥ 1.
        warmup: untimed calls first.
    """
    _check_images(images)
    if repeats < 1:
        raise ValueError(f"repeats must be ≥ 1, got {repeats!r}")
    times = []
    with torch.inference_mode():
        for i in range(warmup + repeats):
            one = images[i % len(images)][None]
            start = time.perf_counter()
            fn(one)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def state_dict_bytes(model: nn.Module) -> int:
    """The size of ``torch.save(model.state_dict())``: the PyTorch model's file size."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


@dataclass(frozen=True)
class ExportCheck:
    """One row of :func:`compare_exports`.

    Args:
        format: ``"PyTorch"``, ``"ONNX (onnxruntime)"`` or ``"torch.export"``.
        size_mb: the file's size in MB (10⁶ bytes).
        latency_ms: median CPU latency for one image.
        max_abs_logit_diff: against the PyTorch model (0 for PyTorch itself).
        same_predictions: the same class for every test image.
        exporter: how the file was made.
        path: the file (``None`` for the in-memory PyTorch model).
    """

    format: str
    size_mb: float
    latency_ms: float
    max_abs_logit_diff: float
    same_predictions: bool
    exporter: str
    path: Path | None


def compare_exports(model: nn.Module, images: Tensor, folder: str | Path, *,
                    repeats: int = 20, name: str = "model") -> list[ExportCheck]:
    """Export ``model`` both ways into ``folder``, reload, check parity, size and latency.

    Args:
        model: the trained classifier.
        images: real float N×C×H×W inputs (e.g. the test set) for parity and timing.
        folder: where ``<name>.onnx`` and ``<name>.pt2`` are written.
        repeats: timed single-image calls per format.
        name: the files' stem.

    Returns:
        Rows for PyTorch, ONNX and ``torch.export``.

    Raises:
        ParityError: an export predicts a different class for some image.
    """
    _check_images(images)
    eval_mode(model)
    folder = Path(folder)
    example = images[:2]
    onnx_path = folder / f"{name}.onnx"
    exporter = export_onnx(model, example, onnx_path)
    onnx_model = load_onnx(onnx_path)
    program = load_program(export_program(model, example, folder / f"{name}.pt2"))
    rows = [ExportCheck("PyTorch", state_dict_bytes(model) / 1e6,
                        latency_ms(model, images, repeats=repeats), 0.0, True, "eager", None)]
    for label, exported, how in (("ONNX (onnxruntime)", onnx_model, exporter),
                                 ("torch.export", program, "torch.export")):
        parity = check_parity(model, exported, images)
        rows.append(ExportCheck(label, exported.path.stat().st_size / 1e6,
                                latency_ms(exported, images, repeats=repeats),
                                parity.max_abs_logit_diff, parity.same_predictions, how,
                                exported.path))
    return rows
