"""Model definitions the chapters train and inspect (torchvision layout and weight names)."""
from .lenet import LeNet5, lenet5
from .resnet import (BasicBlock, Bottleneck, ResNet, ResNet18, ResNet34, ResNet50, ResNet101,
                     ResNet152, conv1x1, conv3x3)

__all__ = ["LeNet5", "lenet5", "BasicBlock", "Bottleneck", "ResNet", "ResNet18", "ResNet34",
           "ResNet50", "ResNet101", "ResNet152", "conv1x1", "conv3x3"]
