"""``dldna.chapter_07.resnet`` (compatibility): the ResNet of :mod:`dldna.models.resnet`.

``ResNet18(num_classes=10, in_channels=1)`` and ``ResNet50(...)`` build the ImageNet-style
network (7×7 stem and max-pool) as the original did for 224×224 inputs; pass
``small_input=True`` for a 3×3 stem without max-pool, which suits 28×28 images.
"""
from ..models import BasicBlock, Bottleneck, ResNet, ResNet18, ResNet50

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "ResNet18", "ResNet50"]
