"""dldna: the small library behind the book *Image classification with convolutional networks*.

Chapters import what they build from here, so the code the book shows is the code that runs.
"""
from .config import (Profile, RunSize, cache_dir, downloads_allowed, get_device, get_profile,
                     seed_everything)
from .conv import SimpleConv2d, SimpleMaxPool2d

__version__ = "0.1.0"

__all__ = [
    "Profile",
    "RunSize",
    "SimpleConv2d",
    "SimpleMaxPool2d",
    "cache_dir",
    "downloads_allowed",
    "get_device",
    "get_profile",
    "seed_everything",
]
