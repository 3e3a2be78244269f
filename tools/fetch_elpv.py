"""Install ELPV (real EL images of solar cells) into the environment's data folder, once.

The PyPI wheel ``elpv-dataset==1.0.0.post1`` holds ``labels.csv`` and 2,624 PNGs. This command
downloads it WITHOUT installing it (``pip download --no-deps``), checks every file against the
sha256 manifest that ``dldna`` keeps (``dldna/elpv_manifest.sha256``) and writes them into
``<data folder>/elpv/``, where ``dldna.data.elpv.load_elpv()`` finds them. The work is done by
:func:`dldna.data.elpv.fetch`, which Colab users can call directly.

    python tools/fetch_elpv.py                      # into dldna.data.files.data_dir()
    python tools/fetch_elpv.py --wheel elpv_dataset-1.0.0.post1-py3-none-any.whl --root DIR

On any failure it prints one line and exits with status 1, leaving nothing half-written; chapter
14 then skips its data-dependent results and says so.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None,
                        help="data folder (default: dldna.data.files.data_dir())")
    parser.add_argument("--wheel", type=Path, default=None,
                        help="an already downloaded elpv-dataset wheel (default: download it)")
    parser.add_argument("--force", action="store_true", help="fetch again even if installed")
    args = parser.parse_args(argv)
    from dldna.data import elpv
    from dldna.data.files import data_dir

    root = args.root or data_dir()
    prefix = "[dldna] ELPV"
    if elpv.is_installed(root) and not args.force:
        print(f"{prefix} already installed in {elpv.elpv_folder(root)}")
        return 0
    start = time.perf_counter()
    try:
        folder = elpv.fetch(root, wheel=args.wheel, force=True)
    except Exception as err:  # no registry, disk full, corrupt wheel ...
        print(f"{prefix} not installed ({type(err).__name__}: {str(err)[:200]}); "
              "chapter 14 skips its ELPV results")
        return 1
    print(f"{prefix}: {len(elpv.manifest())} files with the manifest's sha256s installed in "
          f"{folder} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
