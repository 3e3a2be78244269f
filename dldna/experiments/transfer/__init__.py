"""Chapter 12's experiments: scratch versus three transfer strategies, measured.

One :class:`TransferScale` per profile fixes the input resolution, the training-set sizes (per
class), the seeds and which runs happen at all; every row of the result names its dataset,
model, strategy, size and seed, and carries its trainable-parameter count and CPU seconds.
Features of the frozen part are extracted once per dataset and model
(:func:`dldna.transfer.extract_features`); every probe and every top-stage run reuses them.

Layout: ``scale`` (the grid per profile, data splits, networks) → ``runs`` (one run of each
kind, the grid) → ``studies`` (BatchNorm, normalisation, resolution, cost, learning rates) and
``report`` (summaries and the decision chart).
"""
from .report import best_by_size, flow_steps, flowchart, noise, summary
from .runs import (epochs_for, extract_all, features, full_run, grid, one_thread, probe_run,
                   result_row, scratch_run, top_run)
from .scale import (MODELS, TITLES, Split, TransferScale, load_split, pick, preprocess_for,
                    pretrained_model, shared_pretrained, transfer_scale)
from .studies import (bn_trap, lr_sweep, normalisation_effect, resolution_effect, subset_split,
                      training_cost)

__all__ = ["MODELS", "TITLES", "TransferScale", "transfer_scale", "Split", "load_split", "pick",
           "shared_pretrained", "pretrained_model", "preprocess_for", "one_thread", "result_row",
           "epochs_for", "features", "probe_run", "top_run", "full_run", "scratch_run",
           "extract_all", "grid", "bn_trap", "subset_split", "normalisation_effect",
           "resolution_effect", "training_cost", "lr_sweep", "summary", "best_by_size",
           "flow_steps", "flowchart", "noise"]
