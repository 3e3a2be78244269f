"""dldna.efficiency: the separable-cost formula, timed layers, meta-device model costs."""
from __future__ import annotations

import pytest
import torch

from dldna.measure import efficiency


def test_separable_ratio_is_the_ratio_of_counted_costs():
    costs = efficiency.separable_costs(64, 128, 3, 28)
    assert costs["measured ratio"] == pytest.approx(efficiency.separable_ratio(128, 3)) \
        == pytest.approx(1 / 128 + 1 / 9) == pytest.approx(costs["formula ratio"])
    assert costs["standard MACs"] == 28 * 28 * 128 * 64 * 9
    assert costs["separable MACs"] == 28 * 28 * 64 * (9 + 128)
    assert costs["standard params"] == 128 * 64 * 9 and costs["separable params"] == 64 * (9 + 128)
    with pytest.raises(ValueError, match="c_out"):
        efficiency.separable_ratio(0, 3)
    with pytest.raises(ValueError, match="size"):
        efficiency.separable_costs(8, 8, 3, 2.5)


def test_time_separable_reports_positive_times_and_the_flop_ratio():
    result = efficiency.time_separable(16, 32, 3, 16, batch=2, repeats=1)
    assert all(result[k] > 0 for k in ("standard", "depthwise", "pointwise"))
    assert result["flop_ratio"] == pytest.approx(1 / 32 + 1 / 9)
    assert 0 < result["depthwise_flop_share"] < 1


def test_model_cost_matches_torchvision_meta():
    from torchvision.models import EfficientNet_B0_Weights, MobileNet_V2_Weights

    b0 = efficiency.model_cost("efficientnet_b0")
    assert b0.params == 5_288_548
    assert b0.macs / 1e9 == pytest.approx(EfficientNet_B0_Weights.IMAGENET1K_V1.meta["_ops"],
                                          rel=2e-3)
    mobile = efficiency.model_cost("mobilenet_v2")
    assert mobile.macs / 1e9 == pytest.approx(MobileNet_V2_Weights.IMAGENET1K_V1.meta["_ops"],
                                              rel=2e-3)
    assert efficiency.model_cost("vit_tiny", 28).params < 200_000


class _Sleepy(torch.nn.Module):
    """Sleeps 0.2 s on its first two calls (warm-up and first timed run), 0.02 s after."""

    def __init__(self):
        super().__init__()
        self.calls, self.modes = 0, []

    def forward(self, x):
        import time

        self.modes.append((self.training, torch.is_grad_enabled()))
        time.sleep(0.2 if self.calls < 2 else 0.02)
        self.calls += 1
        return x


def test_latency_is_the_best_run_per_image_in_eval_mode_without_gradients():
    model = _Sleepy()
    seconds = efficiency.latency(model, torch.zeros(4, 1, 8, 8), repeats=3)
    assert model.calls == 4  # one warm-up, three timed
    assert 0.02 / 4 <= seconds < 0.2 / 4  # the best run (0.02 s), divided over 4 images
    assert set(model.modes) == {(False, False)}


def test_latency_checks_its_input():
    model = torch.nn.Conv2d(1, 1, 3)
    with pytest.raises(ValueError, match="4-D"):
        efficiency.latency(model, torch.zeros(1, 8, 8))


def test_se_cnn_share_and_gates_in_zero_one():
    model = efficiency.se_cnn(num_classes=4, width=8)
    inside, total = efficiency.se_share(model)
    assert 0 < inside < total
    gates = efficiency.se_gates(model, torch.rand(3, 3, 32, 32))
    assert [g.shape for g in gates] == [(3, 16), (3, 32)]
    assert all(((g > 0) & (g < 1)).all() for g in gates)
    assert not any(m._forward_hooks for m in model.modules())  # hooks removed


def test_module_text_wraps_long_lines_only():
    block = torch.nn.Sequential(torch.nn.BatchNorm2d(144), torch.nn.ReLU())
    text = efficiency.module_text(block, width=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert text.replace("\n", " ").split() == repr(block).replace("\n", " ").split()
    with pytest.raises(ValueError, match="width"):
        efficiency.module_text(block, width=5)


@pytest.mark.parametrize("name, resolution, message", [
    ("alexnet", 32, "at least 63×63"), ("vit_tiny", 32, "built for 28×28"),
    ("lenet5", 28, "built for 32×32"), ("convnext_tiny", 16, "at least 32×32"),
])
def test_model_cost_says_when_a_model_cannot_run_at_the_resolution(name, resolution, message):
    with pytest.raises(ValueError, match=rf"{name} cannot run at resolution={resolution}: .*"
                                         + message):
        efficiency.model_cost(name, resolution)
