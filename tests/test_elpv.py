"""ELPV: the manifest, the class mapping, fetching from a wheel and the errors on bad files."""
from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dldna.data import elpv
from dldna.data.files import data_dir


def _png(value: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((300, 300), value, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A four-cell stand-in wheel and the manifest that matches it."""
    labels = ("images/cell0001.png  1.0                 mono\n"
              "images/cell0002.png  0.0                 poly\n"
              "images/cell0003.png  0.3333333333333333  poly\n"
              "images/cell0004.png  0.6666666666666666  mono\n").encode()
    files = {"labels.csv": labels, **{f"images/cell000{i}.png": _png(40 * i) for i in range(1, 5)}}
    digests = {name: hashlib.sha256(payload).hexdigest() for name, payload in files.items()}
    monkeypatch.setattr(elpv, "manifest", lambda: dict(digests))
    wheel = tmp_path / "elpv_dataset-1.0.0.post1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, payload in files.items():
            archive.writestr(elpv.MEMBER_ROOT + name, payload)
        archive.writestr(elpv.LICENCE_MEMBER, "CC BY-NC-SA 4.0")
    elpv._load_arrays.cache_clear()
    yield wheel, files
    elpv._load_arrays.cache_clear()


def test_the_manifest_lists_labels_and_2624_images():
    entries = elpv.manifest()
    assert len(entries) == 2625 and "labels.csv" in entries
    assert sum(name.startswith("images/cell") for name in entries) == 2624
    assert all(len(digest) == 64 for digest in entries.values())


def test_the_installed_dataset_matches_the_manifest_or_is_reported_missing():
    if elpv.is_installed(data_dir()):
        cells = elpv.load_elpv(data_dir())
        assert len(cells) == 2624 and tuple(cells.images.shape[1:]) == (1, 300, 300)
        assert cells.label.bincount().tolist() == [1508, 295, 106, 715]
        assert cells.module_type.bincount().tolist() == [1074, 1550]
        assert int(cells.defective.sum()) == 106 + 715
    else:
        with pytest.warns(UserWarning, match="fetch_elpv.py"):
            assert elpv.load_elpv(download=False) is None


@pytest.mark.parametrize("p, label", [(0.0, 0), (0.3333333333333333, 1), (1 / 3, 1),
                                      (0.6666666666666666, 2), (0.6667, 2), (1.0, 3)])
def test_probabilities_map_to_classes_by_rounding(p, label):
    assert elpv.class_of(p) == label


@pytest.mark.parametrize("p", [0.5, -1 / 3, 4 / 3, 0.2])
def test_other_probabilities_are_refused(p):
    with pytest.raises(ValueError, match="probability"):
        elpv.class_of(p)


def test_fetch_from_a_wheel_then_load(tiny, tmp_path):
    wheel, _ = tiny
    folder = elpv.fetch(tmp_path / "data", wheel=wheel)
    assert (folder / "LICENSE.md").is_file() and (folder / "labels.csv").is_file()
    cells = elpv.load_elpv(tmp_path / "data")
    assert cells.label.tolist() == [3, 0, 1, 2]
    assert cells.module_type.tolist() == [0, 1, 1, 0]
    assert cells.defective.tolist() == [1, 0, 0, 1]
    assert cells.targets("4class").tolist() == [3, 0, 1, 2]
    assert int(cells.images[1, 0, 0, 0]) == 80
    cells.images.zero_()  # a fresh copy each time: this must not reach the next load
    assert int(elpv.load_elpv(tmp_path / "data").images[1, 0, 0, 0]) == 80
    two = elpv.load_elpv(tmp_path / "data", every=2)
    assert two.paths == ("images/cell0001.png", "images/cell0003.png")
    assert cells.subset([0, 3]).paths == ("images/cell0001.png", "images/cell0004.png")


def test_a_corrupt_wheel_installs_nothing(tiny, tmp_path, monkeypatch):
    wheel, files = tiny
    digests = elpv.manifest()
    digests["images/cell0003.png"] = "0" * 64
    monkeypatch.setattr(elpv, "manifest", lambda: digests)
    with pytest.raises(ValueError, match="cell0003.png"):
        elpv.fetch(tmp_path / "data", wheel=wheel)
    assert not (tmp_path / "data" / "elpv").exists()
    assert list((tmp_path / "data").iterdir()) == []  # no staging folder left behind


def test_a_corrupt_or_missing_file_is_named_with_the_fix(tiny, tmp_path):
    wheel, _ = tiny
    folder = elpv.fetch(tmp_path / "data", wheel=wheel)
    (folder / "images/cell0002.png").write_bytes(b"not a png")
    fix = r"cell0002\.png is corrupt.*fetch_elpv\.py --force"
    with pytest.raises(elpv.ElpvFileError, match=fix):
        elpv.load_elpv(tmp_path / "data")
    (folder / "images/cell0002.png").unlink()
    elpv._load_arrays.cache_clear()
    with pytest.raises(elpv.ElpvFileError, match=r"cell0002\.png is missing"):
        elpv.load_elpv(tmp_path / "data")


def test_a_missing_dataset_warns_once_and_returns_none(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert elpv.load_elpv(tmp_path, download=False) is None
    assert len(caught) == 1 and "fetch_elpv.py" in str(caught[0].message)


def test_a_failed_download_is_reported_not_raised(tmp_path, monkeypatch):
    def no_registry(folder, requirement=elpv.REQUIREMENT):
        raise RuntimeError("pip download elpv-dataset failed: no network")

    monkeypatch.setattr(elpv, "download_wheel", no_registry)
    with pytest.warns(UserWarning, match="fetch failed.*no network"):
        assert elpv.load_elpv(tmp_path, download=True) is None


def test_bad_arguments_are_named(tiny, tmp_path):
    wheel, _ = tiny
    elpv.fetch(tmp_path / "data", wheel=wheel)
    with pytest.raises(ValueError, match="every"):
        elpv.load_elpv(tmp_path / "data", every=0)
    with pytest.raises(ValueError, match="task"):
        elpv.load_elpv(tmp_path / "data").targets("3class")
    with pytest.raises(elpv.ElpvFileError, match="line 1"):
        elpv.parse_labels("images/cell0001.png 1.0 amorphous\n")


def test_the_command_line_installs_from_a_wheel(tiny, tmp_path, capsys):
    from tools import fetch_elpv

    wheel, _ = tiny
    assert fetch_elpv.main(["--wheel", str(wheel), "--root", str(tmp_path)]) == 0
    assert "installed" in capsys.readouterr().out
    assert fetch_elpv.main(["--root", str(tmp_path)]) == 0
    assert "already installed" in capsys.readouterr().out
    missing = ["--wheel", str(tmp_path / "none.whl"), "--root", str(tmp_path / "x")]
    assert fetch_elpv.main(missing) == 1
    assert "not installed" in capsys.readouterr().out
