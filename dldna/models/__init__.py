"""Every model the book builds, one file per family, behind one registry.

>>> from dldna import models
>>> models.list_models("resnet*")          # doctest: +SKIP
>>> net = models.create("resnet18", num_classes=10, in_channels=1, small_input=True)

Family modules register their factories on import; add a family by importing it below.
"""
from .registry import ModelEntry, create, get_entry, list_models, model_spec, register
from .lenet import LeNet5, lenet5
from .resnet import (BasicBlock, Bottleneck, ResNet, ResNet18, ResNet34, ResNet50, ResNet101,
                     ResNet152, conv1x1, conv3x3)

__all__ = ["ModelEntry", "create", "get_entry", "list_models", "register",
           "LeNet5", "lenet5", "BasicBlock", "Bottleneck", "ResNet", "ResNet18", "ResNet34",
           "ResNet50", "ResNet101", "ResNet152", "conv1x1", "conv3x3"]

from .mobilenet import InvertedResidual, MobileNetV2, mobilenet_v2  # noqa: E402
from .efficientnet import EfficientNet, MBConvBlock, compound_scaling  # noqa: E402
from .convnext import ConvNeXt, ConvNeXtBlock, convnext_tiny  # noqa: E402
from .vit import VisionTransformer, vit_b_16, vit_tiny  # noqa: E402
from .small import BasicBlockExample, DigitsCNN, SmallCNN, digits_cnn, small_cnn  # noqa: E402

__all__ += ["InvertedResidual", "MobileNetV2", "mobilenet_v2", "EfficientNet", "MBConvBlock",
            "compound_scaling", "ConvNeXt", "ConvNeXtBlock", "convnext_tiny",
            "VisionTransformer", "vit_b_16", "vit_tiny"]
__all__ += ["BasicBlockExample", "DigitsCNN", "SmallCNN", "digits_cnn", "small_cnn"]
from .io import load_model, save_model  # noqa: E402
__all__ += ["model_spec", "load_model", "save_model"]

from .alexnet import AlexNet, alexnet, alexnet_paper  # noqa: E402
from .vgg import (VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn,  # noqa: E402
                  vgg19, vgg19_bn)
from .googlenet import GoogLeNet, InceptionModule, googlenet, googlenet_loss  # noqa: E402
from .googlenet_mini import MiniGoogLeNet, googlenet_mini  # noqa: E402

__all__ += ["AlexNet", "alexnet", "alexnet_paper", "VGG", "vgg11", "vgg11_bn", "vgg13",
            "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "GoogLeNet", "InceptionModule",
            "googlenet", "googlenet_loss", "MiniGoogLeNet", "googlenet_mini"]
