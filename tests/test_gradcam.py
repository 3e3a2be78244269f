"""dldna.gradcam: the map follows the evidence, the hooks go away, and randomisation is detected."""
from __future__ import annotations

import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from dldna.explain.gradcam import grad_cam, randomize, rank_correlation
from dldna.explain.hooks import hook_count


class TwoSigns(nn.Module):
    """Channel 0 = ReLU(x), channel 1 = ReLU(−x); class k's score is the mean of channel k."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 1), nn.ReLU(inplace=True))
        with torch.no_grad():
            self.features[0].weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
            self.features[0].bias.zero_()

    def forward(self, x):
        return self.features(x).mean((2, 3))


def two_spots() -> torch.Tensor:
    image = torch.zeros(1, 8, 8)
    image[0, :4, :4], image[0, 4:, 4:] = 1.0, -2.0  # evidence for class 0 and for class 1
    return image


def test_grad_cam_puts_the_map_where_the_class_evidence_is():
    model = TwoSigns()
    positive = grad_cam(model, two_spots(), "features", target=0)
    negative = grad_cam(model, two_spots(), "features", target=1)
    assert positive.target == 0 and positive.layer == "features"
    assert positive.heatmap.shape == (8, 8) and positive.heatmap.max() == pytest.approx(1.0)
    assert positive.heatmap[:3, :3].min() > 0.9 and positive.heatmap[5:, 5:].max() < 1e-6
    assert negative.heatmap[5:, 5:].min() > 0.9 and negative.heatmap[:3, :3].max() < 1e-6
    assert negative.score == pytest.approx(2.0 * 16 / 64)
    assert hook_count(model) == 0
    assert all(p.grad is None for p in model.parameters())  # no side effect on .grad


def test_grad_cam_default_target_is_the_top_class_and_bad_inputs_are_refused():
    model = TwoSigns()
    assert grad_cam(model, two_spots()[None], "features").target == 1
    with pytest.raises(ValueError, match="target"):
        grad_cam(model, torch.ones(1, 8, 8), "features", target=5)
    with pytest.raises(ValueError, match="valid names"):
        grad_cam(model, torch.ones(1, 8, 8), "classifier")
    with pytest.raises(ValueError, match="image"):
        grad_cam(model, torch.ones(2, 1, 8, 8), "features")
    assert hook_count(model) == 0


def test_grad_cam_works_with_in_place_relus_and_restores_the_mode():
    from dldna.models import ResNet18

    torch.manual_seed(0)
    model = ResNet18(3, in_channels=1, small_input=True, width=4).train()
    cam = grad_cam(model, torch.rand(1, 16, 16), "layer3")
    assert cam.heatmap.shape == (16, 16) and 0 <= cam.heatmap.min() <= cam.heatmap.max() <= 1
    assert model.training and hook_count(model) == 0


def test_randomize_changes_only_the_named_layers():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Linear(2, 2))
    model[1].running_mean.fill_(3.0)
    fresh = randomize(model, ["1", "2"], seed=1)
    assert torch.equal(fresh[0].weight, model[0].weight)
    assert not torch.equal(fresh[2].weight, model[2].weight)
    assert torch.equal(fresh[1].running_mean, torch.zeros(2))
    assert torch.equal(model[1].running_mean, torch.full((2,), 3.0))  # the original is untouched
    everything = randomize(model, seed=1)
    assert not torch.equal(everything[0].weight, model[0].weight)


def test_rank_correlation_equals_spearman_with_ties():
    gen = torch.Generator().manual_seed(0)
    a = torch.relu(torch.randn(20, 20, generator=gen))  # many tied zeros
    b = torch.relu(a + torch.randn(20, 20, generator=gen))
    expected = spearmanr(a.flatten(), b.flatten()).statistic
    assert rank_correlation(a, b) == pytest.approx(expected, abs=1e-9)
    assert rank_correlation(a, a) == pytest.approx(1.0)
    assert rank_correlation(a, -a) < 0
    with pytest.raises(ValueError, match="same shape"):
        rank_correlation(a, a[:3])


# ------------------------------------------------------------- wrong layers and inputs (issue 22)

class WithUnused(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.unused = nn.Conv2d(4, 4, 1)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


@pytest.mark.parametrize("layer, image, error, message", [
    ("unused", torch.rand(1, 8, 8), ValueError, r"\['unused'\] produced no output"),
    ("fc", torch.rand(1, 8, 8), ValueError, r"'fc' outputs shape \(1, 2\), not N×C×H×W"),
    ("conv", torch.full((1, 8, 8), float("nan")), ValueError, "NaN or infinite"),
    ("conv", torch.rand(2, 1, 8, 8), ValueError, r"C×H×W or 1×C×H×W, got \(2, 1, 8, 8\)"),
    ("conv", [[0.0]], TypeError, "image must be a torch.Tensor, got list"),
])
def test_grad_cam_says_what_is_wrong_and_leaves_no_hook(layer, image, error, message):
    model = WithUnused()
    with pytest.raises(error, match=message):
        grad_cam(model, image, layer)
    assert hook_count(model) == 0 and model.training
