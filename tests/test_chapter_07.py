"""dldna.chapter_07: the original book's names and calls, on this book's implementations."""
import os
import re
import subprocess
import sys
import textwrap
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from dldna import conv, counting, filter_utils, image_io, models
from dldna.chapter_07 import conv_visual, param_share, resnet, simple_conv
from dldna.chapter_07 import filter_utils as old_filters
from dldna.chapter_07 import train_resnet as old_train
from dldna.photos import photo

ROOT = Path(__file__).resolve().parents[1]
URL = "https://example.org/pictures/building.jpg"


def _png_bytes(array) -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


# ------------------------------------------------------------------ filter_utils, conv_visual

def test_show_filter_effects_takes_an_array_a_path_or_a_url(tmp_path, capsys):
    image = photo("coins", grey=True)[:40, :50]
    fig = old_filters.show_filter_effects(image, kernels=["sharpen"])
    np.testing.assert_array_equal(np.asarray(fig.axes[0].images[0].get_array()), image)
    path = tmp_path / "coins.png"
    path.write_bytes(_png_bytes(image))
    fig = old_filters.show_filter_effects(str(path), kernels=["sharpen"])
    np.testing.assert_array_equal(np.asarray(fig.axes[0].images[0].get_array()), image)
    assert capsys.readouterr().out == ""


def test_a_url_offline_gives_one_line_and_the_named_photo(capsys):
    fig = old_filters.show_filter_effects(URL, kernels=["sharpen"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "building.jpg cannot be fetched offline" in out[0]
    assert "'camera' (skimage: cameraman)" in out[0]
    np.testing.assert_array_equal(np.asarray(fig.axes[0].images[0].get_array()),
                                  photo("camera", grey=True))


def test_a_failing_fetch_never_raises(monkeypatch, capsys):
    monkeypatch.setenv("DLDNA_DOWNLOAD", "1")

    def unreachable(url):
        raise OSError("network is unreachable")

    monkeypatch.setattr(image_io, "_fetch", unreachable)
    image = image_io.load_image(URL, grey=True)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "could not be fetched (OSError)" in out[0]
    np.testing.assert_array_equal(image, photo("camera", grey=True))
    monkeypatch.setattr(image_io, "_fetch", lambda url: b"this is not an image")
    assert image_io.load_image(URL).shape == photo("camera").shape
    assert ("could not be fetched (the download is not an image PIL can read: it holds text "
            "starting 'this is not an image'") in capsys.readouterr().out


def test_a_url_is_downloaded_once_then_read_from_the_cache(monkeypatch, capsys):
    monkeypatch.setenv("DLDNA_DOWNLOAD", "1")
    calls = []
    picture = photo("coffee")[:30, :40]

    def fetch(url):
        calls.append(url)
        return _png_bytes(picture)

    monkeypatch.setattr(image_io, "_fetch", fetch)
    url = "https://example.org/coffee.png"
    np.testing.assert_array_equal(image_io.load_image(url), picture)
    monkeypatch.setenv("DLDNA_DOWNLOAD", "0")  # offline now: the cached copy is used
    np.testing.assert_array_equal(image_io.load_image(url), picture)
    assert calls == [url] and image_io.cached_path(url).exists()
    assert capsys.readouterr().out == ""


def test_load_image_rejects_what_it_cannot_read(tmp_path):
    with pytest.raises(ValueError, match="neither a URL, a bundled photo nor an existing file"):
        image_io.load_image(str(tmp_path / "missing.png"))
    with pytest.raises(ValueError, match="fallback must name a bundled photo"):
        image_io.load_image(URL, fallback="nowhere")
    with pytest.raises(TypeError, match="got None"):
        image_io.load_image(None)


def _frames(animation) -> int:
    return len(re.findall(r"frames\[\d+\] = ", animation.data))


@pytest.fixture(scope="module")
def animation():
    return old_filters.create_convolution_animation(dpi=30)


def test_create_convolution_animation_is_create_conv_animation(animation, monkeypatch):
    assert _frames(animation) == 16  # the default 6×6 grid: 4×4 window positions
    calls = []
    monkeypatch.setattr(filter_utils, "create_conv_animation",
                        lambda *args, **kwargs: calls.append((args, kwargs)))
    old_filters.create_convolution_animation(photo("camera"), fps=3)
    (grid,), kwargs = calls[0]
    assert grid.shape == (8, 8) and kwargs == {"fps": 3}  # an 8×8 grey thumbnail, as before
    assert abs(float(grid.mean()) - float(photo("camera", grey=True).mean())) < 3


def test_conv_visual_animation_displays_in_jupyter(animation):
    # the same function as above, so its animation is the one made there
    assert conv_visual.create_conv_animation is filter_utils.create_conv_animation
    html = animation._repr_html_()
    assert "<script" in html and "https://" not in html


# ------------------------------------------------------------------ param_share

def test_compare_parameter_counts_has_the_original_columns():
    table = param_share.compare_parameter_counts([8, 32])
    assert list(table.columns) == ["Input Size", "Conv Params", "FC Params", "Ratio (FC/Conv)"]
    assert table["Input Size"].tolist() == ["8x8", "32x32"]
    row = table.iloc[1]
    assert (row["Conv Params"], row["FC Params"], row["Ratio (FC/Conv)"]) == (10, 1_049_600,
                                                                              104_960.0)
    assert table["FC Params"].tolist() == counting.compare_parameter_counts([8, 32])[
        "linear_params"].tolist()
    for bad in (0, -4, 2.5):
        with pytest.raises(ValueError, match="input_sizes must hold positive ints"):
            param_share.compare_parameter_counts([8, bad])


def test_show_example_prints_both_counts_and_the_reduction(capsys):
    assert param_share.show_example(32) is None
    out = capsys.readouterr().out
    assert "32x32" in out and ": 10\n" in out and "1,049,600" in out
    assert "Parameter reduction: 99.999 %" in out


# ------------------------------------------------------------------ simple_conv, resnet

def test_simple_conv_names_are_the_library_layers():
    assert simple_conv.SimpleConv2d is conv.SimpleConv2d
    assert simple_conv.SimpleMaxPool2d is conv.SimpleMaxPool2d
    layer = simple_conv.SimpleConv2d(1, 2, 3, padding=1)
    assert layer(torch.zeros(1, 1, 6, 6)).shape == (1, 2, 6, 6)


def test_resnet18_and_resnet50_take_the_original_arguments():
    assert resnet.ResNet is models.ResNet and resnet.BasicBlock is models.BasicBlock
    assert resnet.Bottleneck is models.Bottleneck
    net = resnet.ResNet18(num_classes=10, in_channels=1)
    assert net(torch.zeros(2, 1, 64, 64)).shape == (2, 10)
    assert sum(p.numel() for p in net.parameters()) == 11_175_370  # torchvision's, 1 in, 10 out
    with torch.device("meta"):
        big = resnet.ResNet50(num_classes=10, in_channels=1)
    assert big.conv1.in_channels == 1 and big.fc.out_features == 10


# ------------------------------------------------------------------ train_resnet

@pytest.fixture(scope="module")
def trained():
    return old_train.train_resnet18(epochs=10)


def test_train_resnet18_returns_the_trained_module(trained, capsys):
    assert isinstance(trained, nn.Module) and not trained.training
    with torch.no_grad():
        assert trained(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_save_model_writes_to_the_cache_by_default(trained, tmp_path):
    path = old_train.save_model(trained)
    assert path == old_train.default_model_path() and path.exists()
    assert path.name == "resnet18_fashion-smoke.pt"
    assert os.environ["DLDNA_CACHE"] in str(path)
    other = old_train.save_model(trained, tmp_path / "mine.pt")
    model, image, label, pred, classes = old_train.get_trained_model_and_test_image(other)
    for a, b in zip(model.state_dict().values(), trained.state_dict().values()):
        torch.testing.assert_close(a, b)
    with pytest.raises(TypeError, match="model must be a dldna ResNet"):
        old_train.save_model(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="model must be a ResNet-18"):
        old_train.save_model(models.ResNet34(num_classes=10, in_channels=1))


def test_get_trained_model_and_test_image_returns_the_original_tuple(trained, tmp_path):
    path = old_train.save_model(trained, tmp_path / "model.pt")
    model, image, label, pred, classes = old_train.get_trained_model_and_test_image(path)
    assert isinstance(model, nn.Module) and image.shape == (1, 28, 28)
    assert isinstance(label, int) and isinstance(pred, int)
    assert classes[label] == "Ankle boot"  # the first Fashion-MNIST test image
    with torch.no_grad():
        assert pred == int(model(image[None]).argmax(1))
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0


def test_without_a_model_one_is_trained_first(trained, tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(old_train, "train_resnet18", lambda: calls.append(1) or trained)
    result = old_train.get_trained_model_and_test_image(tmp_path / "none-yet.pt")
    assert calls == [1] and (tmp_path / "none-yet.pt").exists() and len(result) == 5
    assert "No trained model 'none-yet.pt' yet: training one first" in capsys.readouterr().out


# ------------------------------------------------------------------ the original notebook code

ORIGINAL_SCRIPT = textwrap.dedent("""
    import matplotlib
    matplotlib.use("Agg")
    from IPython.display import display
    from dldna.chapter_07.filter_utils import show_filter_effects, create_convolution_animation
    from dldna.chapter_07.conv_visual import create_conv_animation
    from dldna.chapter_07.param_share import compare_parameter_counts, show_example
    from dldna.chapter_07.simple_conv import SimpleConv2d, SimpleMaxPool2d
    from dldna.chapter_07.resnet import ResNet18, ResNet50
    from dldna.chapter_07.train_resnet import (train_resnet18, save_model,
                                               get_trained_model_and_test_image)
    import torch

    url = "https://raw.githubusercontent.com/opencv/opencv/master/samples/data/building.jpg"
    show_filter_effects(url)
    display(create_convolution_animation())  # on a URL: tested above (36 frames take long)
    print(compare_parameter_counts([8, 16, 32, 64]))
    show_example(32)
    x = torch.randn(1, 1, 28, 28)
    print(SimpleMaxPool2d(2)(SimpleConv2d(1, 4, 3, padding=1)(x)).shape)
    print(ResNet18(num_classes=10, in_channels=1)(torch.randn(1, 1, 224, 224)).shape)
    model, test_image, label, pred, classes = get_trained_model_and_test_image()
    print(f"Actual class: {classes[label]} (Label: {label})")
    print(f"Predicted class: {classes[pred]} (Label: {pred})")
    model = train_resnet18(epochs=10)
    save_model(model)
    print("done")
""")


def test_the_original_notebook_code_runs_unchanged(tmp_path):
    env = dict(os.environ, DLDNA_PROFILE="smoke", DLDNA_DOWNLOAD="0",
               DLDNA_CACHE=str(tmp_path / "cache"), OMP_NUM_THREADS="1")
    run = subprocess.run([sys.executable, "-c", ORIGINAL_SCRIPT], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "building.jpg cannot be fetched offline" in out and "Traceback" not in run.stderr
    assert "Ratio (FC/Conv)" in out and "104960.0" in out
    assert "torch.Size([1, 4, 14, 14])" in out and "torch.Size([1, 10])" in out
    assert "training one first (smoke profile)" in out
    assert "Actual class: Ankle boot (Label: 9)" in out and out.rstrip().endswith("done")
    assert (tmp_path / "cache" / "models" / "resnet18_fashion-smoke.pt").exists()
    assert not any(tmp_path.glob("tmp")), "nothing is written to the working directory"
