"""Chapter 14's experiment code on a small synthetic stand-in of ELPV (no download needed)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dldna.data.elpv import ElpvData
from dldna.experiments import solar, solar_runs
from dldna.experiments import solar_report as report


def _cells(n: int = 64, side: int = 32) -> ElpvData:
    g = torch.Generator().manual_seed(0)
    label = torch.arange(n) % 4
    kind = (torch.arange(n) // 4) % 2
    images = torch.randint(0, 256, (n, 1, side, side), generator=g, dtype=torch.uint8)
    return ElpvData(images, label.double() / 3, label, kind, tuple(f"c{i}" for i in range(n)))


def test_the_split_is_disjoint_complete_and_stratified():
    cells = _cells(160)
    split = solar.stratified_split(cells, 0.25, seed=1)
    assert not set(split.train) & set(split.test)
    assert sorted([*split.train, *split.test]) == list(range(160))
    per_stratum = np.bincount(solar.strata(cells)[split.test], minlength=8)
    assert per_stratum.tolist() == [5] * 8  # 20 cells per stratum, a quarter of each in test
    with pytest.raises(ValueError, match="test_fraction"):
        solar.stratified_split(cells, 1.5)


def test_the_eight_dihedral_views_are_distinct_and_invertible():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    views = [solar.dihedral(x, v) for v in range(8)]
    assert len({tuple(v.flatten().tolist()) for v in views}) == 8
    assert torch.equal(views[0], x)
    assert torch.equal(solar.dihedral(solar.dihedral(x, 1), 3), x)  # a quarter turn and back
    mixed = solar.random_dihedral(torch.cat([x] * 32), torch.Generator().manual_seed(0))
    assert len({tuple(m.flatten().tolist()) for m in mixed}) > 4
    with pytest.raises(ValueError, match="square"):
        solar.dihedral(torch.zeros(1, 1, 4, 5), 1)


def test_threshold_for_cost_moves_down_when_misses_cost_more():
    p = torch.tensor([0.1, 0.2, 0.35, 0.4, 0.45, 0.6, 0.9])
    truth = torch.tensor([0, 0, 1, 0, 0, 1, 1])
    assert report.threshold_for_cost(p, truth, 1.0) > 0.45
    assert report.threshold_for_cost(p, truth, 10.0) <= 0.35
    with pytest.raises(ValueError, match="miss_cost"):
        report.threshold_for_cost(p, truth, 0.0)


def test_binary_scores_come_from_the_four_class_probabilities():
    probs = torch.tensor([[0.6, 0.1, 0.2, 0.1], [0.1, 0.3, 0.3, 0.3], [0.2, 0.5, 0.2, 0.1]])
    labels = torch.tensor([0, 2, 3])
    assert torch.allclose(report.binary_from_four(probs), torch.tensor([0.3, 0.6, 0.3]))
    scores = report.score("m", probs, labels, n_boot=50)
    assert scores.binary_correct.tolist() == [1, 1, 0] and scores.four_correct.tolist() == [1, 0, 0]


def test_the_assembled_network_matches_its_head_on_cached_maps_and_checks_inputs():
    cells = _cells(48, side=64)
    split = solar.stratified_split(cells, 0.25)
    transfer = solar_runs.cached_top(cells.images, 64, 2)
    head = solar_runs.pooling_head(transfer, cells.label, split.train, solar.Recipe(epochs=2))
    net = solar_runs.assemble(transfer, head)
    x = solar.resize(cells.images[split.test], 64)
    cached = solar_runs.probabilities(head, transfer.maps[split.test])
    assert torch.allclose(solar_runs.probabilities(net, x), cached, atol=1e-5)
    with pytest.raises(ValueError, match="N×1×64×64"):
        net(torch.rand(2, 3, 64, 64))
    with pytest.raises(ValueError, match="N×1×64×64"):
        net(torch.rand(2, 1, 32, 32))


def test_skipping_outside_ipython_only_reports_availability():
    assert report.skip_cells_without_data(True) is True
    assert report.skip_cells_without_data(False) is False  # no IPython shell here: nothing to patch
