"""Checkpoints of :func:`dldna.train.fit`: rank 0 writes them; every process resumes from one.

A checkpoint holds everything that changes the numbers of the rest of the run: settings, weights,
optimiser, schedule, gradient scaler, EMA weights, history and the random state of every process.
"""
from __future__ import annotations

import copy
from dataclasses import asdict

from . import distributed
from ..checkpoint import (CheckpointError, check_state_dict, load_checkpoint, restore_model,
                         rng_state, save_checkpoint, set_rng_state)
from .history import History


def save_run(path, run, epoch: int, history: History) -> None:
    rngs = distributed.all_gather_objects(rng_state(), run.world)  # every process takes part
    if not run.world.is_main:
        return
    save_checkpoint(path, {
        "config": asdict(run.config), "epoch": epoch, "model_class": type(run.model).__name__,
        "model": run.model.state_dict(), "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict(), "scaler": run.scaler.state_dict(),
        "ema": run.ema.state_dict() if run.ema is not None else None,
        "rng": rngs[0], "rng_ranks": rngs, "history": history.to_dict(),
    })


def resume_run(path, run) -> tuple[int, History]:
    """Load every piece of training state, or nothing at all (the model is restored on error).

    Args:
        path: the checkpoint file.
        run: the freshly built run whose pieces are overwritten.

    Returns:
        The number of epochs already done and their history.
    """
    state = load_checkpoint(path)
    stored, model, ema = state.get("config", {}), run.model, run.ema
    differ = [k for k, v in asdict(run.config).items() if stored.get(k) != v]
    if differ:
        raise CheckpointError(f"{path} was written by a run with different settings "
                              + ", ".join(f"{k}={stored.get(k)!r} (now {getattr(run.config, k)!r})"
                                          for k in differ)
                              + "; use the same settings or another checkpoint path")
    check_state_dict(model, state["model"], f"checkpoint {path}")
    if ema is not None:
        check_state_dict(ema, state["ema"] or {}, f"EMA weights in {path}")
    backup = copy.deepcopy(model.state_dict())
    try:
        restore_model(model, state["model"], f"checkpoint {path}")
        run.optimizer.load_state_dict(state["optimizer"])
        run.scheduler.load_state_dict(state["scheduler"])
        run.scaler.load_state_dict(state["scaler"])
        if ema is not None:
            restore_model(ema, state["ema"], f"EMA weights in {path}")
        history = History.from_dict(state["history"])
        ranks = state.get("rng_ranks") or [state["rng"]]
        set_rng_state(ranks[run.world.rank % len(ranks)])
    except Exception as err:
        model.load_state_dict(backup)
        raise CheckpointError(f"could not resume from {path}: {type(err).__name__}: {err}") from err
    return int(state["epoch"]), history
