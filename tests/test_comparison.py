"""dldna.comparison: the comparison table, ConvNeXt's steps, the flowchart."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments import comparison


def test_comparison_table_rows_are_computed_from_the_builders():
    chosen = [a for a in comparison.ARCHITECTURES if a.model in ("lenet5", "mobilenet_v2")]
    rows, missing = comparison.comparison_table(chosen)
    assert not missing and [r["architecture"] for r in rows] == ["LeNet-5", "MobileNetV2"]
    mobile = rows[1]
    assert mobile["params (M)"] == pytest.approx(3.504872)
    assert mobile["GMACs"] == pytest.approx(0.301, rel=2e-3)
    assert mobile["top-1 (%)"] == pytest.approx(71.878) and rows[0]["top-1 (%)"] is None
    absent = comparison.Architecture("Nothing", "no_such_model", 2000, "", "none")
    assert comparison.comparison_table([absent]) == ([], ["Nothing"])


def test_convnext_steps_change_what_the_paper_says_they_change():
    rows = {r["step"]: r for r in comparison.convnext_steps(channels=16, size=8, blocks=2)}
    names = list(rows)
    assert rows[names[1]]["params"] < rows[names[0]]["params"]  # depthwise is cheaper
    assert rows[names[2]]["params"] > rows[names[1]]["params"]  # 4× wide costs more
    assert rows[names[-1]]["activations"] == 2 and rows[names[-2]]["activations"] == 6
    with pytest.raises(ValueError, match="channels"):
        comparison.convnext_steps(channels=10)


def test_flowchart_names_the_four_recommendations():
    fig = comparison.decision_flowchart()
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    for name in ("MobileNetV3", "ResNet-50", "EfficientNet-B7", "Transfer learning"):
        assert name in text
    assert "ViT-B/16" in text and "ViT-L" not in text  # a ViT that the chapter's table has


# ---------------------------------------------------------------- registry names (issue 22)

def test_comparison_table_takes_registry_names_at_a_size_each_model_can_run():
    rows, missing = comparison.comparison_table(["resnet18", "lenet5"])
    assert missing == [] and [r["architecture"] for r in rows] == ["resnet18", "lenet5"]
    assert [r["input"] for r in rows] == [224, 32] and rows[0]["depth"] == 18
    assert comparison.comparison_table("resnet18")[0][0]["params (M)"] == pytest.approx(11.69, 0.01)


@pytest.mark.parametrize("bad, error, message", [
    (["resnet19"], ValueError, "unknown model 'resnet19'; known models: alexnet"),
    ([3], TypeError, "Architecture entries or registry names such as 'resnet18', got int"),
    ([torch.nn.Linear(2, 2)], TypeError, "for a model you built, use"),
])
def test_comparison_table_refuses_what_it_cannot_count(bad, error, message):
    with pytest.raises(error, match=message):
        comparison.comparison_table(bad)


def test_depth_counts_the_longest_path_of_weighted_layers():
    import torch
    from torch import nn

    from dldna import models

    class Gated(nn.Module):  # a projection beside the path, a gate on it
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 4, 3, padding=1)
            self.shortcut, self.gate = nn.Conv2d(3, 4, 1), nn.Conv2d(4, 4, 1)
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            y = self.b(self.a(x))
            y = y * torch.sigmoid(self.gate(y)) + self.shortcut(x)
            return self.head(y.mean((2, 3)))

    assert comparison.longest_path_layers(Gated(), (1, 3, 8, 8)) == 4  # a, b, gate, head
    with torch.device("meta"):
        for name, kwargs, expected in (("resnet50", {}, 50), ("vgg16", {}, 16),
                                       ("googlenet", {"aux_logits": False}, 22),
                                       ("vit_b_16", {}, 2 + 4 * 12)):
            model = models.create(name, **kwargs).train()
            assert comparison.longest_path_layers(model, (1, 3, 224, 224)) == expected, name
            assert model.training
    rows, _ = comparison.comparison_table(
        [a for a in comparison.ARCHITECTURES if a.model in ("googlenet", "resnet50")])
    assert [(r["year"], r["depth"], r["paper's depth"]) for r in rows] == [(2014, 22, 22),
                                                                           (2015, 50, 50)]
