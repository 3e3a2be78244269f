"""``dldna.chapter_07.conv_visual`` (compatibility): the sliding-window animation.

``create_conv_animation()`` returns an ``IPython.display.HTML`` player; ``display(animation)``
(or leaving it as a cell's last value) shows it in Jupyter, Colab and the built book.
"""
from ..filters.animation import create_conv_animation

__all__ = ["create_conv_animation"]
