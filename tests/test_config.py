import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------------- labels out of range (issue 22)

def _label_helpers():
    import torch

    from dldna.data.augment import mix_pair, mixer
    from dldna.evaluate.metrics import accuracy
    from dldna.experiments.degradation import gradient_norms
    from dldna.models import create
    from dldna.train import TrainConfig, fit
    x = torch.rand(4, 1, 8, 8)
    model = create("digits_cnn", num_classes=3)
    return {
        "mixup": lambda y: mixer("mixup", 3)(x, y),
        "cutmix": lambda y: mixer("cutmix", 3)(x, y),
        "mix_pair": lambda y: mix_pair(x[0], int(y.min()), x[1], int(y.max()), kind="mixup",
                                       num_classes=3),
        "gradient_norms": lambda y: gradient_norms(model, x, y),
        "accuracy": lambda y: accuracy(torch.full((4, 3), 1 / 3), y),
        "fit": lambda y: fit(model, (x, y), config=TrainConfig(epochs=1, batch_size=4),
                             verbose=False),
    }


@pytest.mark.parametrize("helper", ["mixup", "cutmix", "mix_pair", "gradient_norms",
                                    "accuracy", "fit"])
@pytest.mark.parametrize("labels, found", [([3, 0, 1, 2], r"\[0, 3\] \(build it"),
                                           ([-1, 0, 1, 2], r"\[-1, 2\] \(negative"),
                                           ([1, 2, 3, 3], r"\[1, 3\] \(1-based")])
def test_labels_out_of_range_name_the_range_found_and_expected(helper, labels, found):
    import torch
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\] for 3 classes; got values in "
                                         + found):
        _label_helpers()[helper](torch.tensor(labels))


@settings(max_examples=50, deadline=None)
@given(labels=st.lists(st.integers(-5, 12), min_size=1, max_size=20), k=st.integers(1, 10))
def test_check_label_range_accepts_exactly_the_indices_in_range(labels, k):
    from dldna.config import check_label_range
    ok = all(0 <= y < k for y in labels)
    try:
        assert check_label_range(labels, k).tolist() == labels and ok
    except ValueError:
        assert not ok


@pytest.mark.parametrize("bad, error, message", [
    ([0.5, 1.0], TypeError, r"integer class indices, got torch.float\d+: convert with `.long\(\)`"),
    ([True, False], TypeError, "integer class indices, got torch.bool"),
])
def test_non_integer_labels_are_refused(bad, error, message):
    from dldna.config import check_label_range
    with pytest.raises(error, match=message):
        check_label_range(bad, 3)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="mixup", num_classes=0), "num_classes must be a positive int, got 0"),
    (dict(kind="cutmix", num_classes=2.0), "num_classes must be a positive int, got 2.0"),
    (dict(kind="mixup", num_classes=3, alpha=0), "alpha must be a positive number"),
    (dict(kind="blend", num_classes=3), "mix must be 'mixup' or 'cutmix'"),
])
def test_mixer_checks_its_arguments_when_it_is_built(kwargs, message):
    from dldna.data.augment import mixer
    with pytest.raises(ValueError, match=message):
        mixer(**kwargs)
