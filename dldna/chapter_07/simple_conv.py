"""``dldna.chapter_07.simple_conv`` (compatibility): the from-scratch layers of chapter 2."""
from ..conv import SimpleConv2d, SimpleMaxPool2d

__all__ = ["SimpleConv2d", "SimpleMaxPool2d"]
