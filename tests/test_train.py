"""The trainer: it learns, it is deterministic, it refuses bad input before training."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dldna import train
from dldna.train.schedules import OPTIMIZERS, SCHEDULES, build_optimizer, lr_curve


def blobs(n: int = 96, classes: int = 3, seed: int = 0):
    """Tiny separable images: class c has a bright square in corner c."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % classes
    images = 0.1 * torch.rand(n, 1, 6, 6, generator=g)
    for c in range(classes):
        r, col = divmod(c, 2)
        images[labels == c, :, 3 * r:3 * r + 3, 3 * col:3 * col + 3] += 0.8
    return images, labels


def tiny_model(classes: int = 3) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Dropout(0.1),
                         nn.Linear(16, classes))


def weights(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.state_dict().values()]


def test_fit_learns_and_records_history():
    data = blobs()
    model = tiny_model()
    history = train.fit(model, data, blobs(seed=1), epochs=4, lr=0.05, batch_size=16)
    assert history.epoch == [1, 2, 3, 4]
    assert len(history.train_loss) == len(history.val_accuracy) == len(history.seconds) == 4
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_accuracy[-1] >= 0.9
    assert train.evaluate(model, blobs(seed=1))["accuracy"] == pytest.approx(
        history.val_accuracy[-1])
    fig = history.plot()
    assert len(fig.axes) == 2 and fig.axes[0].get_legend_handles_labels()[1] == ["train",
                                                                                 "validation"]
    assert all(float(t).is_integer() for t in fig.axes[1].get_xticks())  # whole epochs
    fig = history.plot(labels=("train (augmented)", "test"))
    assert fig.axes[1].get_legend_handles_labels()[1] == ["train (augmented)", "test"]


def test_same_seed_same_numbers():
    runs = [train.fit(tiny_model(), blobs(), blobs(seed=1), epochs=2, lr=0.05, batch_size=16,
                      ema_decay=0.9, label_smoothing=0.1, clip_grad_norm=1.0).metrics()
            for _ in range(2)]
    assert runs[0] == runs[1]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_optimizer_and_schedule_runs(optimizer, schedule):
    history = train.fit(tiny_model(), blobs(48), epochs=2, lr=0.01, batch_size=16,
                        optimizer=optimizer, schedule=schedule, warmup_epochs=1, step_epochs=1)
    assert all(math.isfinite(v) for v in history.train_loss)


def test_ema_changes_the_final_weights():
    plain, averaged = tiny_model(), tiny_model()
    train.fit(plain, blobs(), epochs=2, lr=0.05, batch_size=16)
    train.fit(averaged, blobs(), epochs=2, lr=0.05, batch_size=16, ema_decay=0.9)
    assert any(not torch.equal(a, b) for a, b in zip(weights(plain), weights(averaged)))


def test_soft_label_augmentation_and_dataset_input():
    from dldna.data import load

    digits = load("digits").subset(60)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    def mix(x, y):  # a MixUp-like augmentation: labels become probability vectors
        soft = torch.nn.functional.one_hot(y, 10).float()
        return 0.5 * (x + x.flip(0)), 0.5 * (soft + soft.flip(0))

    history = train.fit(model, digits, epochs=1, augment=mix, batch_size=20)
    assert history.dataset == digits.name
    probs = train.predict(model, digits, probabilities=True)
    assert probs.shape == (60, 10) and torch.allclose(probs.sum(1), torch.ones(60))


@pytest.mark.parametrize("change, message", [
    (dict(epochs=-1), "epochs"), (dict(epochs=0), "epochs"), (dict(lr=-0.1), "lr"),
    (dict(lr=0.0), "lr"), (dict(lr=float("nan")), "lr"), (dict(batch_size=0), "batch_size"),
    (dict(optimizer="adagrad"), "optimizer"), (dict(schedule="linear"), "schedule"),
    (dict(label_smoothing=1.5), "label_smoothing"), (dict(ema_decay=1.0), "ema_decay"),
])
def test_bad_settings_raise_before_training(change, message):
    model = tiny_model()
    before = weights(model)
    with pytest.raises(ValueError, match=message):
        train.fit(model, blobs(), **change)
    assert all(torch.equal(a, b) for a, b in zip(before, weights(model)))


def test_bad_data_raises_before_training():
    model = tiny_model()
    before = weights(model)
    images, labels = blobs()
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\].*got values in \[3, 3\]"):
        train.fit(model, (images, labels.clone().fill_(3)))
    with pytest.raises(ValueError, match=r"got values in \[-1, 1\] \(negative labels"):
        train.fit(model, (images, labels - 1))
    with pytest.raises(ValueError, match="empty"):
        train.fit(model, (images[:0], labels[:0]))
    with pytest.raises(ValueError, match="labels must have shape"):
        train.fit(model, (images, labels[:-1]))
    with pytest.raises(TypeError, match="integer class indices"):
        train.fit(model, (images, labels.float()))
    with pytest.raises(ValueError, match="val"):
        train.fit(model, (images, labels), (images, labels + 5))
    with pytest.raises(ValueError, match="resume=True needs checkpoint"):
        train.fit(model, (images, labels), resume=True)
    assert all(torch.equal(a, b) for a, b in zip(before, weights(model)))


def test_model_output_must_match_the_dataset():
    from dldna.data import load

    digits = load("digits").subset(40)
    with pytest.raises(ValueError, match="outputs 7 scores.*10 classes"):
        train.fit(nn.Sequential(nn.Flatten(), nn.Linear(64, 7)), digits)
    with pytest.raises(ValueError, match="one row of class scores"):
        train.fit(nn.Conv2d(1, 10, 3), digits)


def test_lr_curves_follow_their_formulas():
    lr, epochs, steps = 0.1, 10, 5
    total = epochs * steps
    cosine = lr_curve("cosine", lr=lr, epochs=epochs, steps_per_epoch=steps)
    expected = [0.5 * lr * (1 + math.cos(math.pi * t / total)) for t in range(total)]
    assert cosine == pytest.approx(expected, abs=1e-9)
    step = lr_curve("step", lr=lr, epochs=epochs, steps_per_epoch=steps, step_epochs=4)
    assert step[0] == pytest.approx(lr) and step[4 * steps] == pytest.approx(lr * 0.1)
    warm = lr_curve("warmup_cosine", lr=lr, epochs=epochs, steps_per_epoch=steps, warmup_steps=10)
    assert warm[0] < 0.2 * lr and max(warm) == pytest.approx(lr) and warm.index(max(warm)) == 10
    assert all(a < b for a, b in zip(warm[:10], warm[1:11]))
    one = lr_curve("onecycle", lr=lr, epochs=epochs, steps_per_epoch=steps)
    assert max(one) == pytest.approx(lr, rel=1e-6) and one[0] < lr / 10 and one[-1] < one[0]
    assert lr_curve("constant", lr=lr, epochs=2, steps_per_epoch=3) == [lr] * 6


def test_unknown_optimizer_is_named():
    with pytest.raises(ValueError, match="adagrad"):
        build_optimizer([nn.Parameter(torch.zeros(1))], "adagrad")


def test_progress_bars_and_verbose_lines_name_the_dataset(capsys):
    from dldna.data import load

    digits = load("digits").subset(40)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    train.fit(model, digits, digits, epochs=2, batch_size=20, progress=True, verbose=True)
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("[")]
    assert len(lines) == 2 and all(digits.name in line for line in lines)
    assert "epoch" in out.err  # tqdm writes its bars to stderr outside notebooks


def test_trainer_benchmark_prints_ratio_and_lenet_result(capsys):
    from dldna.bench import trainer as bench

    assert bench.main(["--epochs", "1", "--lenet-epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "ratio" in out and "LeNet-5 on MNIST-5k" in out and "test accuracy" in out


def test_lenet_reference_is_sized_by_a_run_size_per_profile():
    from dldna.bench import trainer as bench
    from dldna.config import RunSize

    sizes = {p: bench.lenet_size(p) for p in ("smoke", "cpu", "gpu")}
    assert all(isinstance(s, RunSize) for s in sizes.values())
    assert [s.epochs for s in sizes.values()] == [2, 20, 20]
    assert {s.batch_size for s in sizes.values()} == {bench.LENET_RECIPE["batch_size"]}
    with pytest.raises(ValueError, match="smoke, cpu, gpu"):
        bench.lenet_size("laptop")


def test_fit_leaves_the_callers_random_stream_alone():
    models = [tiny_model() for _ in range(3)]  # (tiny_model seeds the global RNG itself)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train.fit(models[0], blobs(48), epochs=1, lr=0.05, batch_size=16)  # dropout draws inside
    assert torch.equal(torch.rand(3), expected)
    # ... and the run's numbers come from its seed, not from the caller's state
    torch.manual_seed(1)
    first = train.fit(models[1], blobs(48), epochs=1, batch_size=16).metrics()
    torch.manual_seed(2)
    assert train.fit(models[2], blobs(48), epochs=1, batch_size=16).metrics() == first


def test_validation_data_is_checked_and_converted_once(monkeypatch):
    calls = {"as_tensors": [], "check_labels": []}
    for name in calls:
        real = getattr(train.loop, name)

        def spy(*args, _real=real, _name=name):
            calls[_name].append(args[-1])
            return _real(*args)

        monkeypatch.setattr(train.loop, name, spy)
    images, labels = blobs()
    val = (images.to(torch.uint8), labels)  # uint8 is converted to float once, not per epoch
    history = train.fit(tiny_model(), blobs(), val, epochs=3, lr=0.05, batch_size=16)
    assert calls["as_tensors"].count("val") == 1 and calls["check_labels"].count("val") == 1
    assert len(history.val_accuracy) == 3


def test_batch_size_must_split_over_processes(monkeypatch):
    monkeypatch.setattr(train.distributed, "init",
                        lambda device=None: (train.distributed.World(0, 3), torch.device("cpu")))
    with pytest.raises(ValueError, match="batch_size must be a multiple of the 3 processes"):
        train.fit(tiny_model(), blobs(), batch_size=16)
