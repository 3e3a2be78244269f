"""Transfer learning: reuse a pretrained network for a new task, with the details done right.

>>> from dldna import pretrained, transfer
>>> prep = transfer.prepare(pretrained.mobilenet_v2(), "top", num_classes=10, top_stages=2)
>>> prep.trainable, prep.learning_rates()                       # doctest: +SKIP

* :func:`find_head`, :func:`replace_head`, :func:`stages` — the network's parts;
* :func:`prepare` — the three strategies (linear probe, top stages, full with discriminative
  rates), frozen BatchNorm kept in eval mode;
* :func:`normalization`, :class:`Preprocess`, :func:`extract_features` — inputs as the
  weights expect them, features computed once and cached;
* :func:`fit_groups`, :func:`tail` — train with per-group rates; train the top on cached
  features.
"""
from .features import (Normalization, Preprocess, cache_info, clear_cache, extract_features,
                       normalization)
from .freeze import (STRATEGIES, Prepared, count_parameters, is_locked, lock_batchnorm, prepare,
                     unlock_batchnorm)
from .heads import find_head, replace_head, stages
from .neighbours import knn_accuracy, nearest
from .tune import accuracy, cut_layer, fit_groups, tail

__all__ = ["Normalization", "Preprocess", "cache_info", "clear_cache", "extract_features",
           "normalization", "STRATEGIES", "Prepared", "count_parameters", "is_locked",
           "lock_batchnorm", "prepare", "unlock_batchnorm", "find_head", "replace_head", "stages",
           "accuracy", "cut_layer", "fit_groups", "tail", "knn_accuracy", "nearest"]
