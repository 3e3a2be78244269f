"""``dldna.train_resnet``: train, save and reload a ResNet-18 for 28×28 grey images.

The public path the original book's readers and chapter 7 use. The code lives in
``dldna.experiments.resnet18`` (layer 4); this module only re-exports it (layer 6, compat).
"""
from .experiments.resnet18 import (CPU_BUDGET, MODEL_FORMAT, RESNET18_CPU, RESNET18_GPU,
                                   RESNET18_RECIPE, RESNET18_SMOKE, Example, TrainedModel,
                                   _datasets, load_example, load_model, model_info,
                                   resnet18_settings, save_model, train_resnet18, training_cost)

__all__ = ["CPU_BUDGET", "MODEL_FORMAT", "RESNET18_CPU", "RESNET18_GPU", "RESNET18_RECIPE",
           "RESNET18_SMOKE", "Example", "TrainedModel", "load_example", "load_model",
           "model_info", "resnet18_settings", "save_model", "train_resnet18", "training_cost"]
