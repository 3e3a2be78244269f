"""Images from wherever a reader has them: an array, a file, or a URL (downloaded and cached).

A URL is fetched only when downloads are allowed (:func:`dldna.config.downloads_allowed`: gpu
profile or ``DLDNA_DOWNLOAD=1``) and is cached in :func:`dldna.config.cache_dir`. Offline, or
when the fetch fails, one line says so and a named bundled photo is used instead: a failing
fetch never raises.
"""
from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from ..config import cache_dir, downloads_allowed
from .core import to_grey
from ..data.photos import PHOTOS, describe, photo

FETCH_TIMEOUT_S = 15
MAX_BYTES = 50 * 2**20


def is_url(source) -> bool:
    """Whether ``source`` is an http(s) URL string.

    Args:
        source: anything; only a string starting with ``http://`` or ``https://`` counts.
    """
    return isinstance(source, str) and urlparse(source).scheme in ("http", "https")


def _decode(data: bytes, grey: bool, where: str = "source (bytes)") -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as img:
            return np.asarray(img.convert("L" if grey else "RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ValueError(f"{where} is not an image PIL can read: it holds {_contents(data)} "
                         f"({type(err).__name__})") from None


def _contents(data: bytes) -> str:
    """What a file that is not an image holds, in words: empty, an HTML page, text, bytes."""
    head = data[:512].lstrip()
    if not data:
        return "nothing (0 bytes)"
    if head[:1] == b"<" and b"html" in head.lower():
        return "an HTML page (an error or login page saved under an image name?)"
    try:
        text = head[:40].decode("utf-8")
    except UnicodeDecodeError:
        return f"{len(data):,} bytes starting {data[:8].hex(' ')}"
    return f"text starting {text!r}" if text.isprintable() else f"{len(data):,} bytes of data"


def _fallback(reason: str, fallback: str, grey: bool) -> np.ndarray:
    print(f"[dldna] {reason}; using the bundled photo '{fallback}' ({describe(fallback)}).")
    return photo(fallback, grey=grey)


def cached_path(url: str) -> Path:
    """Where :func:`load_image` keeps the download of ``url``.

    Args:
        url: the image's http(s) address.
    """
    name = Path(urlparse(url).path).name or "image"
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return cache_dir() / "images" / f"{digest}-{name}"


def _fetch(url: str) -> bytes:
    from urllib.request import Request, urlopen

    with urlopen(Request(url, headers={"User-Agent": "dldna"}), timeout=FETCH_TIMEOUT_S) as reply:
        data = reply.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is larger than {MAX_BYTES // 2**20} MiB")
    return data


def _from_url(url: str, grey: bool, fallback: str) -> np.ndarray:
    path = cached_path(url)
    name = Path(urlparse(url).path).name or urlparse(url).netloc
    if path.exists():
        try:
            return _decode(path.read_bytes(), grey)
        except Exception:  # a damaged cache file: fetch it again
            path.unlink(missing_ok=True)
    if not downloads_allowed():
        return _fallback(f"{name} cannot be fetched offline (DLDNA_DOWNLOAD=1 allows it)",
                         fallback, grey)
    try:
        data = _fetch(url)
        image = _decode(data, grey, "the download")
    except ValueError as err:  # not an image (an HTML error page ...), too large
        return _fallback(f"{name} could not be fetched ({err})", fallback, grey)
    except Exception as err:  # no network, HTTP error ...
        return _fallback(f"{name} could not be fetched ({type(err).__name__})", fallback, grey)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(path)
    return image


def load_image(source, *, grey: bool = False, fallback: str = "camera") -> np.ndarray:
    """An image as an array (H×W×3, or H×W with ``grey=True``) from ``source``: a URL, a file
    path or the name of a bundled photo (uint8), or an array (as it is; with ``grey=True`` a
    colour array becomes its float luminance).

    Args:
        source: a URL, a file path, a bundled photo's name, the bytes of an image file, or an
            array.
        grey: return the luminance (H×W) instead of colour.
        fallback: the bundled photo returned (with a printed note) when a URL cannot be
            fetched, e.g. offline.
    """
    if fallback not in PHOTOS:
        raise ValueError(f"fallback must name a bundled photo ({', '.join(PHOTOS)}), "
                         f"got {fallback!r}")
    if is_url(source):
        return _from_url(source, grey, fallback)
    if isinstance(source, str) and source in PHOTOS:
        return photo(source, grey=grey)
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise ValueError(f"source is neither a URL, a bundled photo nor an existing file: "
                             f"{path.name!r}")
        return _decode(path.read_bytes(), grey, f"file {path}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _decode(bytes(source), grey)  # the encoded file, e.g. from requests.get().content
    array = np.asarray(source) if source is not None else np.asarray(None)
    if array.ndim not in (2, 3) or not (np.issubdtype(array.dtype, np.number)
                                        or array.dtype == bool):
        raise TypeError(f"source must be a URL, a file path, a photo name, the bytes of an image "
                        f"file or an H×W(×C) array of numbers, got {type(source).__name__}"
                        + (f" of shape {array.shape}" if array.dtype != object else ""))
    return to_grey(array) if grey and array.ndim == 3 else array
