"""Training: :func:`fit`, :func:`evaluate`, :func:`predict` and what they are configured with.

* :mod:`dldna.train.loop` – the training loop;
* :mod:`dldna.train.predict` – :func:`evaluate` and :func:`predict`;
* :mod:`dldna.train.config` – :class:`TrainConfig`;
* :mod:`dldna.train.history` – :class:`History`, the per-epoch record;
* :mod:`dldna.train.inputs` – tensors and label checks;
* :mod:`dldna.train.schedules` – optimisers and learning-rate schedules;
* :mod:`dldna.train.resume` – checkpoints of a run, and resuming it;
* :mod:`dldna.train.distributed` – several processes under ``torchrun``.
"""
from . import distributed  # noqa: F401  (dldna.train.distributed, patched by tests)
from .config import TrainConfig
from .history import History
from .loop import fit
from .predict import evaluate, predict

__all__ = ["History", "TrainConfig", "evaluate", "fit", "predict"]
