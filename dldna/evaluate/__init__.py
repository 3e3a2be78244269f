"""Judging a trained classifier: metrics, honest intervals, TTA, ensembles and calibration.

* ``metrics`` – accuracy, top-k, confusion matrix, per-class precision /
  recall / F1 (via ``sklearn.metrics``) and a gallery of the most confident mistakes;
* ``intervals`` – seeded bootstrap intervals, paired differences on the same
  test images, McNemar's test, and the "tie" verdict when an interval includes 0;
* ``predict`` – predictions of one model, with test-time augmentation, and
  of an ensemble (softmax averages);
* ``calibration`` – reliability diagram, ECE (15 equal-width bins) and
  temperature scaling;
* ``tables`` – one table row at a time: an accuracy with its interval, a
  paired comparison with its verdict, temperature scaling with ECE before and after.

Only torch and numpy load with this package; scikit-learn, pandas, scipy and matplotlib load
inside the functions that need them.
"""
from .calibration import (N_BINS, Bins, apply_temperature, confidence_bins, ece_difference,
                          ece_interval, expected_calibration_error, fit_temperature,
                          negative_log_likelihood, reliability_bins, reliability_diagram)
from .intervals import (Interval, bootstrap_ci, bootstrap_metric, describe_difference,
                        mcnemar_p, paired_difference, verdict)
from .metrics import (accuracy, confusion_matrix, correct, most_confident_mistakes,
                      mistakes_gallery, per_class_report, top_k_accuracy)
from . import tables  # noqa: E402  (rows of the chapter's tables)
from .predict import (VIEW_NAMES, ensemble_predict, make_views, predict_logits, predict_proba,
                      tta_predict)

__all__ = ["N_BINS", "Bins", "Interval", "VIEW_NAMES", "accuracy", "apply_temperature",
           "bootstrap_ci", "bootstrap_metric", "confidence_bins", "confusion_matrix", "correct",
           "describe_difference", "ece_difference", "ece_interval",
           "ensemble_predict", "expected_calibration_error", "fit_temperature", "make_views",
           "mcnemar_p", "mistakes_gallery", "most_confident_mistakes",
           "negative_log_likelihood", "paired_difference", "per_class_report",
           "predict_logits", "predict_proba", "reliability_bins", "reliability_diagram",
           "top_k_accuracy", "tta_predict", "verdict"]
