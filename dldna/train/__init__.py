"""Training: :func:`fit`, :func:`evaluate`, :func:`predict` and what they are configured with.

* ``dldna.train.loop`` – the training loop;
* ``dldna.train.predict`` – :func:`evaluate` and :func:`predict`;
* ``dldna.train.config`` – :class:`TrainConfig`;
* ``dldna.train.history`` – :class:`History`, the per-epoch record;
* :mod:`dldna.train.inputs` – tensors and label checks;
* :mod:`dldna.train.schedules` – optimisers and learning-rate schedules;
* ``dldna.train.resume`` – checkpoints of a run, and resuming it;
* :mod:`dldna.train.distributed` – several processes under ``torchrun``.
"""
from . import distributed  # noqa: F401  (dldna.train.distributed, patched by tests)
from .config import TrainConfig
from .history import History
from .loop import fit
from .predict import evaluate, predict

__all__ = ["History", "TrainConfig", "evaluate", "fit", "predict"]
