"""Training on several processes with ``torchrun``: :func:`dldna.train.fit` needs no change.

``torchrun --nproc_per_node=N script.py`` starts N copies of a script and tells each one its
place through environment variables (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` …).
``fit`` reads them (:func:`world_from_env`) and then

* joins the process group: ``nccl`` on CUDA (one GPU per process, ``cuda:LOCAL_RANK``), ``gloo``
  on the CPU;
* wraps the model in :class:`~torch.nn.parallel.DistributedDataParallel`, which averages the
  gradients of all processes after every backward pass, so every copy takes the same step;
* gives each process its own shard of every epoch's shuffled order
  (:class:`~torch.utils.data.DistributedSampler`), and ``batch_size // N`` images per step, so
  one step still sees ``batch_size`` images in total;
* adds up the metrics of all processes (:func:`all_reduce_sum`), and lets only rank 0 write
  checkpoints and show progress.

The command line that runs the book's full CIFAR-10 recipe on every GPU of a machine is
:mod:`dldna.experiments.recipes_cli` (``python -m dldna.distributed`` hands over to it); this
module never imports it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler

from ..config import get_device

ENV_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


@dataclass(frozen=True)
class World:
    """This process's place among all training processes (one process: rank 0 of 1).

    Args:
        rank: this process's number, from 0.
        size: the number of processes.
        local_rank: this process's number on its machine (its GPU index).
    """

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def active(self) -> bool:
        return self.size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def world_from_env(env: Mapping[str, str] | None = None) -> World:
    """``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` as torchrun sets them (absent: one process).

    Args:
        env: the variables to read; ``None`` for ``os.environ``.
    """
    env = os.environ if env is None else env
    values = {}
    for name in ENV_VARS:
        text = env.get(name, "").strip()
        try:
            values[name] = int(text) if text else None
        except ValueError:
            raise ValueError(f"{name} must be an integer, got {text!r}") from None
    size = values["WORLD_SIZE"] or 1
    rank = values["RANK"] or 0
    if size < 1 or not 0 <= rank < size:
        raise ValueError(f"RANK={rank} and WORLD_SIZE={size} do not describe a process group")
    local = values["LOCAL_RANK"] if values["LOCAL_RANK"] is not None else rank
    return World(rank=rank, size=size, local_rank=local)


def init(device: torch.device | str | None = None) -> tuple[World, torch.device]:
    """Join the process group if torchrun started us; returns the world and our device.

    Args:
        device: the device wanted; ``None`` for the best available (under torchrun, the GPU of
            this process's ``LOCAL_RANK`` if there is one).
    """
    world = world_from_env()
    if not world.active:
        return world, get_device(None if device is None else str(device))
    wanted = torch.device(device) if device is not None else None
    use_cuda = torch.cuda.is_available() if wanted is None else wanted.type == "cuda"
    if use_cuda:
        torch.cuda.set_device(world.local_rank)
        here = torch.device("cuda", world.local_rank)
    else:
        here = torch.device("cpu")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo", rank=world.rank,
                                world_size=world.size)
    return world, here


def shutdown() -> None:
    """Leave the process group (at the end of a torchrun script)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model: nn.Module, world: World, device: torch.device) -> nn.Module:
    """The model to call during training: DDP around ``model`` when several processes train.

    Args:
        model: the model, already on ``device``.
        world: this process's place, from :func:`init`.
        device: this process's device.
    """
    if not world.active:
        return model
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def epoch_order(n: int, world: World, *, seed: int, epoch: int) -> torch.Tensor:
    """This process's share of epoch ``epoch``'s shuffled order of ``n`` items.

    The whole order is ``torch.randperm(n)`` from a local generator seeded with ``seed + epoch``
    (no global random state is used); with N processes, rank r takes every N-th item from r on,
    the order being padded with its first items to a multiple of N, as DistributedSampler does.

    Args:
        n: the number of items (e.g. training images).
        world: this process's place, from :func:`init`.
        seed: the run's seed.
        epoch: the epoch number; each epoch gets its own order.
    """
    sampler = DistributedSampler(range(n), num_replicas=world.size, rank=world.rank,
                                 shuffle=True, seed=seed, drop_last=False)
    sampler.set_epoch(epoch)
    return torch.tensor(list(sampler), dtype=torch.long)


def all_reduce_sum(tensor: torch.Tensor, world: World) -> torch.Tensor:
    """The sum of ``tensor`` over all processes (the tensor itself with one process).

    Args:
        tensor: a tensor of the same shape in every process (summed in place).
        world: this process's place, from :func:`init`.
    """
    if world.active:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def sync_buffers(model: nn.Module, world: World) -> None:
    """Copy rank 0's buffers (batch-norm running statistics) to every process.

    DDP sends them before each forward pass, so after the last step of an epoch each process
    still holds the statistics of its own last batch; evaluation and checkpoints want one model.

    Args:
        model: the model whose buffers are overwritten with rank 0's.
        world: this process's place.
    """
    if world.active:
        for buffer in model.buffers():
            dist.broadcast(buffer, src=0)


def all_gather_objects(obj: Any, world: World) -> list[Any]:
    """``[obj of rank 0, obj of rank 1, …]`` on every process.

    Args:
        obj: any picklable object.
        world: this process's place.
    """
    if not world.active:
        return [obj]
    out: list[Any] = [None] * world.size
    dist.all_gather_object(out, obj)
    return out


def barrier(world: World) -> None:
    if world.active:
        dist.barrier()
