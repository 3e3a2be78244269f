"""No lost training: atomic checkpoints, safe loading, and a run killed with SIGKILL that resumes
to exactly the numbers of an uninterrupted run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch
from torch import nn

from dldna import train
from dldna.checkpoint import (CheckpointError, load_checkpoint, restore_model, rng_state,
                              save_checkpoint, set_rng_state)

ROOT = Path(__file__).resolve().parents[1]


def blobs(n: int = 96, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    images = 0.2 * torch.rand(n, 1, 6, 6, generator=g)
    images[labels == 1, :, :3] += 0.7
    return images, labels


def tiny_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Dropout(0.2), nn.Linear(64, 2))


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_save_is_atomic_and_round_trips(tmp_path):
    path = save_checkpoint(tmp_path / "sub" / "ck.pt", {"x": torch.arange(3), "note": "hi"})
    assert [p.name for p in path.parent.iterdir()] == ["ck.pt"]  # no temp file left behind
    state = load_checkpoint(path)
    assert torch.equal(state["x"], torch.arange(3)) and state["note"] == "hi"


def test_truncated_foreign_and_missing_files_give_clear_errors(tmp_path):
    good = save_checkpoint(tmp_path / "good.pt", {"model": tiny_model().state_dict()})
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(truncated)
    foreign = tmp_path / "foreign.pt"
    torch.save(tiny_model().state_dict(), foreign)  # a bare state dict from someone else
    with pytest.raises(CheckpointError, match="not a dldna-checkpoint-v1 file"):
        load_checkpoint(foreign)
    (tmp_path / "noise.pt").write_bytes(os.urandom(500))
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        load_checkpoint(tmp_path / "noise.pt")
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_checkpoint(tmp_path / "absent.pt")


def test_a_reader_may_accept_several_formats(tmp_path):
    path = save_checkpoint(tmp_path / "old.pt", {"x": 1}, kind="thing-v1")
    assert load_checkpoint(path, kind=("thing-v2", "thing-v1"))["format"] == "thing-v1"
    with pytest.raises(CheckpointError, match="not a thing-v2 or thing-v3 file.*'thing-v1'"):
        load_checkpoint(path, kind=("thing-v2", "thing-v3"))


def test_a_mismatched_model_is_never_half_loaded():
    model = tiny_model()
    before = snapshot(model)
    other = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Dropout(0.2), nn.Linear(64, 3)).state_dict()
    with pytest.raises(CheckpointError, match="shape mismatch"):
        restore_model(model, other)
    assert same(before, snapshot(model))
    with pytest.raises(CheckpointError, match="missing"):
        restore_model(model, {k: v for k, v in other.items() if not k.startswith("5.")})
    assert same(before, snapshot(model))


def test_rng_state_round_trips_through_a_safe_load(tmp_path):
    import random

    import numpy as np

    save_checkpoint(tmp_path / "rng.pt", {"rng": rng_state()})
    expected = (random.random(), np.random.rand(), torch.rand(1))
    set_rng_state(load_checkpoint(tmp_path / "rng.pt")["rng"])
    assert (random.random(), np.random.rand(), torch.rand(1)) == expected


def test_interrupted_run_resumes_to_the_same_numbers(tmp_path):
    settings = dict(epochs=3, lr=0.05, batch_size=16, schedule="warmup_cosine", warmup_epochs=1,
                    ema_decay=0.9, label_smoothing=0.1, progress=False)

    def noisy(x, y):  # uses the global RNG, so resuming must restore it
        return x + 0.05 * torch.randn_like(x), y

    reference_model = tiny_model()
    reference = train.fit(reference_model, blobs(), blobs(seed=1), augment=noisy, **settings)

    calls = {"n": 0}

    def crash_in_epoch_three(x, y):
        calls["n"] += 1
        if calls["n"] == 2 * 6 + 2:  # 6 batches per epoch: the 2nd batch of epoch 3
            raise KeyboardInterrupt
        return noisy(x, y)

    path = tmp_path / "run.pt"
    with pytest.raises(KeyboardInterrupt):
        train.fit(tiny_model(), blobs(), blobs(seed=1), augment=crash_in_epoch_three,
                  checkpoint=path, **settings)
    assert load_checkpoint(path)["epoch"] == 2
    resumed_model = nn.Sequential(*tiny_model())  # fresh weights: all come from the file
    resumed = train.fit(resumed_model, blobs(), blobs(seed=1), augment=noisy, checkpoint=path,
                        resume=True, **settings)
    assert resumed.metrics() == reference.metrics()
    assert same(snapshot(resumed_model), snapshot(reference_model))
    # A finished run resumes to itself without training again.
    again = train.fit(tiny_model(), blobs(), blobs(seed=1), checkpoint=path, resume=True,
                      augment=noisy, **settings)
    assert again.metrics() == reference.metrics()


def test_resume_refuses_other_settings_and_other_models(tmp_path):
    path = tmp_path / "run.pt"
    train.fit(tiny_model(), blobs(), epochs=1, checkpoint=path, progress=False)
    with pytest.raises(CheckpointError, match="different settings.*lr"):
        train.fit(tiny_model(), blobs(), epochs=1, lr=0.5, checkpoint=path, resume=True)
    wider = nn.Sequential(nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(),
                          nn.Linear(128, 2))
    before = snapshot(wider)
    with pytest.raises(CheckpointError, match="does not fit"):
        train.fit(wider, blobs(), epochs=1, checkpoint=path, resume=True)
    assert same(before, snapshot(wider))


SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    import torch
    from torch import nn
    torch.set_num_threads(1)
    from dldna import train

    g = torch.Generator().manual_seed(0)
    labels = torch.arange(4000) % 4
    images = 0.3 * torch.rand(4000, 1, 12, 12, generator=g)
    for c in range(4):
        images[labels == c, :, 6 * (c // 2):6 * (c // 2) + 6, 6 * (c % 2):6 * (c % 2) + 6] += 0.5
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.3), nn.Linear(200, 4))
    kill_at, marker = int(os.environ.get("KILL_AT", "0")), os.environ.get("MARKER")
    calls = 0

    def augment(x, y):
        global calls
        calls += 1
        if calls == kill_at:  # tell the parent we are mid-epoch, then wait to be killed
            open(marker, "w").close()
            time.sleep(600)
        return x + 0.1 * torch.randn_like(x), y

    history = train.fit(model, (images, labels), (images[:500], labels[:500]), epochs=3,
                        batch_size=50, lr=0.01, optimizer="sgd", schedule="onecycle",
                        ema_decay=0.95, clip_grad_norm=2.0, augment=augment,
                        checkpoint=sys.argv[1], resume=True, progress=False)
    weights = sum(float(v.double().sum()) for v in model.state_dict().values())
    print(json.dumps({"metrics": history.metrics(), "weights": weights}))
""")


def run_script(script: Path, checkpoint: Path, **env) -> dict:
    out = subprocess.run([sys.executable, str(script), str(checkpoint)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, **env}, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sigkill_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    reference = run_script(script, tmp_path / "reference.pt")

    checkpoint, marker = tmp_path / "killed.pt", tmp_path / "mid-epoch"
    # 80 batches per epoch: batch 121 is in the middle of epoch 2.
    job = subprocess.Popen([sys.executable, str(script), str(checkpoint)], cwd=ROOT,
                           env={**os.environ, "KILL_AT": "121", "MARKER": str(marker)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert job.poll() is None, "the training job ended before reaching the kill point"
        assert time.monotonic() < deadline, "the training job never reached the kill point"
        time.sleep(0.1)
    os.kill(job.pid, signal.SIGKILL)
    assert job.wait(timeout=60) == -signal.SIGKILL
    assert load_checkpoint(checkpoint)["epoch"] == 1  # epoch 1 was saved, epoch 2 was lost

    resumed = run_script(script, checkpoint)
    assert resumed["metrics"] == reference["metrics"]
    assert resumed["weights"] == reference["weights"]
    assert len(resumed["metrics"]["epoch"]) == 3
