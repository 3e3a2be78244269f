import numpy as np
import pytest
import torch

import dldna
from dldna import config, train
from dldna.config import Profile, RunSize, deterministic_cudnn, get_profile


def test_profile_from_environment(monkeypatch):
    for name in ("smoke", "cpu", "gpu"):
        monkeypatch.setenv("DLDNA_PROFILE", name)
        assert get_profile().name == name


def test_profile_default_follows_cuda(monkeypatch):
    monkeypatch.delenv("DLDNA_PROFILE", raising=False)
    assert get_profile().name == ("gpu" if torch.cuda.is_available() else "cpu")


def test_unknown_profile_is_rejected(monkeypatch):
    monkeypatch.setenv("DLDNA_PROFILE", "fast")
    with pytest.raises(ValueError, match="DLDNA_PROFILE='fast'.*smoke, cpu, gpu"):
        get_profile()


def test_pick_returns_the_profile_value():
    assert [Profile(n).pick(smoke=1, cpu=2, gpu=3) for n in ("smoke", "cpu", "gpu")] == [1, 2, 3]
    assert Profile("smoke").is_smoke and not Profile("cpu").is_smoke
    with pytest.raises(ValueError, match="profile must be one of smoke, cpu, gpu"):
        Profile("laptop")


def test_run_size_is_picked_per_profile_and_sets_the_training_keywords():
    sizes = dict(smoke=RunSize(epochs=1, batch_size=8, width=4, train_size=100),
                 cpu=RunSize(epochs=3, batch_size=32, warmup_epochs=0.5, ema_decay=0.9),
                 gpu=RunSize(epochs=10, batch_size=128))
    smoke, cpu = Profile("smoke").pick(**sizes), Profile("cpu").pick(**sizes)
    assert (smoke.width, smoke.train_size, smoke.test_size) == (4, 100, None)
    assert smoke.training() == {"epochs": 1, "batch_size": 8}
    assert cpu.training() == {"epochs": 3, "batch_size": 32, "warmup_epochs": 0.5}
    assert cpu.replace(epochs=5).epochs == 5 and cpu.epochs == 3
    with pytest.raises(AttributeError):
        cpu.epochs = 4  # frozen: a profile's size cannot drift


@pytest.mark.parametrize("changes, match", [
    (dict(epochs=0), "epochs"), (dict(batch_size=2.5), "batch_size"),
    (dict(width=0), "width"), (dict(train_size=True), "train_size"),
    (dict(warmup_epochs=5), "warmup_epochs"), (dict(ema_decay=1.0), "ema_decay")])
def test_run_size_rejects_bad_values(changes, match):
    with pytest.raises(ValueError, match=match):
        RunSize(**{"epochs": 2, "batch_size": 4, **changes})


def test_seed_everything_makes_runs_repeatable():
    dldna.seed_everything(123)
    a = (torch.rand(3), np.random.rand(3))
    dldna.seed_everything(123)
    b = (torch.rand(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("flags", [(False, True), (True, False), (False, False)])
def test_seeding_and_training_leave_the_cudnn_flags_as_they_were(flags):
    cudnn = torch.backends.cudnn
    before = (cudnn.deterministic, cudnn.benchmark)
    seen = []
    try:
        cudnn.deterministic, cudnn.benchmark = flags
        dldna.seed_everything(5)
        assert (cudnn.deterministic, cudnn.benchmark) == flags
        x, y = torch.randn(16, 1, 4, 4), torch.arange(16) % 2
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 2))
        model.register_forward_hook(lambda *a: seen.append((cudnn.deterministic, cudnn.benchmark)))
        train.fit(model, (x, y), epochs=1, batch_size=8, lr=0.1, verbose=False)
        assert (cudnn.deterministic, cudnn.benchmark) == flags
        # the two training steps (after a shape probe before the run) ran deterministic
        assert seen[-2:] == [(True, False)] * 2
    finally:
        cudnn.deterministic, cudnn.benchmark = before


def test_deterministic_cudnn_restores_the_flags_after_an_error():
    cudnn = torch.backends.cudnn
    before = (cudnn.deterministic, cudnn.benchmark)
    with pytest.raises(RuntimeError):
        with deterministic_cudnn():
            assert (cudnn.deterministic, cudnn.benchmark) == (True, False)
            raise RuntimeError("inside")
    assert (cudnn.deterministic, cudnn.benchmark) == before
    with pytest.raises(TypeError, match="enabled must be a bool"):
        with deterministic_cudnn("yes"):
            pass


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True])
def test_seed_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        dldna.seed_everything(bad)


def test_device_and_cache(monkeypatch, tmp_path):
    assert dldna.get_device().type in ("cpu", "cuda")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="prefer='cuda'"):
            dldna.get_device("cuda")
    monkeypatch.setenv("DLDNA_CACHE", str(tmp_path / "c"))
    assert dldna.cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()


def test_downloads_only_when_allowed(monkeypatch):
    monkeypatch.setenv("DLDNA_DOWNLOAD", "0")
    monkeypatch.setenv("DLDNA_PROFILE", "gpu")
    assert not dldna.downloads_allowed()
    monkeypatch.delenv("DLDNA_DOWNLOAD")
    assert dldna.downloads_allowed()
    monkeypatch.setenv("DLDNA_PROFILE", "cpu")
    assert not dldna.downloads_allowed()
    monkeypatch.setenv("DLDNA_DOWNLOAD", "1")
    assert dldna.downloads_allowed()


@pytest.mark.parametrize("profile, book_build, expected", [
    ("cpu", None, True), ("gpu", None, True), ("smoke", None, False),
    ("cpu", "1", False), ("gpu", "1", False), ("cpu", "0", True),
])
def test_progress_bars_only_outside_smoke_runs_and_book_builds(monkeypatch, profile, book_build,
                                                                expected):
    monkeypatch.setenv(config.PROFILE_ENV, profile)
    if book_build is None:
        monkeypatch.delenv(config.BOOK_BUILD_ENV, raising=False)
    else:
        monkeypatch.setenv(config.BOOK_BUILD_ENV, book_build)
    assert config.show_progress() is expected
