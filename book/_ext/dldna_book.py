"""Book-build glue: one jupyter-cache per execution profile.

jupyter-cache keys on notebook contents only, not on environment variables, so a cache filled in
the smoke profile would otherwise be reused by the cpu build. Each profile gets its own folder.
It also marks the process as a book build, which the notebook kernels inherit: training shows no
progress bars there (see ``dldna.config.show_progress``).
"""
import os
from pathlib import Path


def _per_profile_cache(app, config) -> None:
    from dldna.config import BOOK_BUILD_ENV, get_profile

    os.environ[BOOK_BUILD_ENV] = "1"
    profile = get_profile().name
    config.nb_execution_cache_path = str(Path(app.outdir).parent / ".jupyter_cache" / profile)


def setup(app):
    app.connect("config-inited", _per_profile_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
