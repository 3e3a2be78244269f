"""fit under torchrun: 2 CPU processes (gloo) train like 1; one checkpoint; exact resume."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn

from dldna import train
from dldna.train import distributed

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = dict(epochs=3, batch_size=32, lr=0.3, optimizer="sgd", schedule="onecycle",
                ema_decay=0.9, clip_grad_norm=5.0, progress=False)
# Two processes add their gradients and metrics in another order than one process does, so the
# numbers agree to float32 rounding, not bit for bit; 1e-5 is far below any real difference.
TOLERANCE = 1e-5


def data(n: int, seed: int):
    """Separable 8×8 images: class c has a bright square in corner c (4 classes)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 4
    images = 0.2 * torch.rand(n, 1, 8, 8, generator=g)
    for c in range(4):
        r, col = divmod(c, 2)
        images[labels == c, :, 4 * r:4 * r + 4, 4 * col:4 * col + 4] += 0.6
    return images, labels


def model() -> nn.Module:
    # No batch norm or dropout: then two shards of 16 give exactly the gradient of one batch of 32.
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                         nn.Flatten(), nn.Linear(16, 4))


WORKER = textwrap.dedent("""
    import json, sys
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    sys.path.insert(0, sys.argv[2])
    from test_train_ddp import SETTINGS, data, model
    from dldna import train
    from dldna.train import distributed

    out = sys.argv[1]
    world = distributed.world_from_env()

    # 1. an uninterrupted run with a checkpoint
    net = model()
    full = train.fit(net, data(192, 0), data(64, 1), checkpoint=f"{out}/full/run.pt", **SETTINGS)
    weights = torch.cat([p.detach().flatten() for p in net.parameters()])
    copies = [torch.zeros_like(weights) for _ in range(world.size)]
    dist.all_gather(copies, weights)

    # 2. the same run stopped at the start of epoch 3 (after epoch 2's checkpoint) ...
    class Stop(Exception):
        pass

    real_epoch, calls = train.loop._train_epoch, []
    def stop_in_epoch_3(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise Stop
        return real_epoch(*args, **kwargs)
    train.loop._train_epoch = stop_in_epoch_3
    try:
        train.fit(model(), data(192, 0), data(64, 1), checkpoint=f"{out}/cut/run.pt", **SETTINGS)
    except Stop:
        pass
    train.loop._train_epoch = real_epoch
    # 3. ... and resumed in fresh processes' state (new model, new optimiser)
    resumed = train.fit(model(), data(192, 0), data(64, 1), checkpoint=f"{out}/cut/run.pt",
                        resume=True, **SETTINGS)
    # 4. batch norm: every process ends with rank 0's running statistics
    torch.manual_seed(0)
    bn = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4),
                             torch.nn.Flatten(), torch.nn.Linear(144, 4))
    train.fit(bn, data(192, 0), epochs=1, batch_size=32, lr=0.1, progress=False)
    stats = torch.cat([bn[1].running_mean, bn[1].running_var])
    all_stats = [torch.zeros_like(stats) for _ in range(world.size)]
    dist.all_gather(all_stats, stats)
    if world.is_main:
        json.dump({"world": world.size, "full": full.metrics(), "resumed": resumed.metrics(),
                   "bn_stats_agree": all(torch.equal(s, stats) for s in all_stats),
                   "weights": weights.tolist(),
                   "same_weights_on_all_ranks": all(torch.equal(c, weights) for c in copies),
                   "initialized": dist.is_initialized(),
                   "backend": dist.get_backend()}, open(f"{out}/result.json", "w"))
    distributed.shutdown()
""")


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ddp")
    worker = folder / "worker.py"
    worker.write_text(WORKER)
    env = {k: v for k, v in os.environ.items() if k not in distributed.ENV_VARS}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node=2", str(worker), str(folder), str(ROOT / "tests")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=ROOT,
                          env={**env, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return folder, json.loads((folder / "result.json").read_text())


def close(a: dict, b: dict) -> bool:
    for key in a:
        if key == "dataset":
            assert a[key] == b[key]
            continue
        assert a[key] == pytest.approx(b[key], abs=TOLERANCE), key
    return True


def test_two_processes_train_like_one(two_processes):
    _, result = two_processes
    assert result["world"] == 2 and result["initialized"] and result["backend"] == "gloo"
    assert result["same_weights_on_all_ranks"] and result["bn_stats_agree"]
    single_model = model()
    single = train.fit(single_model, data(192, 0), data(64, 1), **SETTINGS).metrics()
    assert result["full"]["epoch"] == [1, 2, 3] and close(single, result["full"])
    assert single["val_accuracy"][-1] >= 0.9  # it learned
    weights = torch.cat([p.detach().flatten() for p in single_model.parameters()])
    assert torch.allclose(weights, torch.tensor(result["weights"]), atol=TOLERANCE)


def test_only_rank_0_writes_one_checkpoint(two_processes):
    folder, _ = two_processes
    assert sorted(p.name for p in (folder / "full").iterdir()) == ["run.pt"]
    assert sorted(p.name for p in (folder / "cut").iterdir()) == ["run.pt"]


def test_resumed_distributed_run_matches_the_uninterrupted_one(two_processes):
    _, result = two_processes
    assert result["resumed"] == result["full"]


def test_world_from_env():
    assert distributed.world_from_env({}) == distributed.World(0, 1, 0)
    world = distributed.world_from_env({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1"})
    assert world.rank == 3 and world.size == 4 and world.local_rank == 1 and world.active
    assert not world.is_main
    with pytest.raises(ValueError, match="WORLD_SIZE must be an integer"):
        distributed.world_from_env({"WORLD_SIZE": "two"})
    with pytest.raises(ValueError, match="RANK=2 and WORLD_SIZE=2"):
        distributed.world_from_env({"RANK": "2", "WORLD_SIZE": "2"})


def test_shards_cover_the_single_process_order_once():
    one = distributed.epoch_order(10, distributed.World(0, 1), seed=7, epoch=2)
    assert torch.equal(one, torch.randperm(10, generator=torch.Generator().manual_seed(9)))
    shards = [distributed.epoch_order(10, distributed.World(r, 2), seed=7, epoch=2)
              for r in range(2)]
    assert torch.equal(torch.stack(shards, 1).flatten(), one)  # rank r takes items r, r+2, ...
    three = [distributed.epoch_order(10, distributed.World(r, 3), seed=7, epoch=2)
             for r in range(3)]
    assert [len(s) for s in three] == [4, 4, 4]  # padded from 10 to 12, as DistributedSampler
    assert set(torch.cat(three).tolist()) == set(range(10))
