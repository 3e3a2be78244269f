"""dldna.models.registry: every registered model, and every torchvision twin against torchvision.

The parametrisation reads the registry, so a family registered in ``dldna/models/__init__.py``
is tested here without editing this file. Parameter counts and FLOPs are computed on the
``meta`` device (shapes only, no memory, no arithmetic); the numerical comparison with
torchvision runs on the CPU at the smallest input the architecture accepts.
"""
from __future__ import annotations

import functools
from typing import Callable

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from dldna import models
from dldna.models import create, get_entry, list_models
from model_probe import assert_twin, count, on_meta, quiet, smallest_side, twin_on_meta

TWINS = list_models(torchvision_twins=True)
EVERY = list_models()
# ViT-B/16 on the CPU under torch.no_grad(): nn.MultiheadAttention takes its fused fast path,
# which FlopCounterMode does not see (test_flop_counter_misses_fused_attention_on_cpu_*).
VIT_B_16_NO_GRAD_GMACS = 11.271


def _theirs(name: str, **kwargs) -> Callable[[], nn.Module]:
    return lambda: torchvision.models.get_model(name, **kwargs)


def _ours(name: str, **kwargs) -> Callable[[], nn.Module]:
    return lambda: create(name, **kwargs)


@functools.cache
def _meta_ours(name: str) -> nn.Module:
    """Our default build on meta, shared by the tests that only read shapes (never modified)."""
    return on_meta(_ours(name))


@functools.cache
def _meta_theirs(name: str) -> nn.Module:
    return on_meta(_theirs(name))


def _weights(name: str):
    return torchvision.models.get_model_weights(name).DEFAULT


def _macs(model: nn.Module, side: int) -> float:
    """Multiply-accumulates (half the FLOPs FlopCounterMode counts) of one image, in G."""
    x = torch.empty(1, 3, side, side, device="meta")
    with FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops() / 2e9


def test_registry_holds_the_book_models_under_torchvision_names():
    assert {"resnet18", "resnet50", "lenet5"} <= set(EVERY)
    assert set(TWINS) <= set(torchvision.models.list_models(module=torchvision.models))
    assert list_models("resnet1*") == ["resnet101", "resnet152", "resnet18"]
    assert "lenet5" in list_models(torchvision_twins=False) and "lenet5" not in TWINS
    assert get_entry("resnet18").family == "resnet" and get_entry("resnet18").torchvision


def test_unknown_name_raises_value_error_listing_the_known_models():
    with pytest.raises(ValueError, match="unknown model 'resnet19'") as info:
        create("resnet19")
    assert all(name in str(info.value) for name in EVERY)
    with pytest.raises(TypeError, match="name"):
        get_entry(18)


def test_registering_a_second_factory_under_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        models.register("resnet18")(lambda **kwargs: nn.Identity())


@pytest.mark.parametrize("name", EVERY)
def test_every_factory_takes_num_classes_and_in_channels(name):
    model = on_meta(_ours(name, num_classes=7, in_channels=1))
    side = smallest_side(model, channels=1)
    with torch.no_grad():
        out = model(torch.empty(2, 1, side, side, device="meta"))
    assert out.shape == (2, 7)


# The published figures (torchvision's model cards): what the per-family tests used to check.
PARAMS = {"alexnet": 61_100_840, "convnext_tiny": 28_589_128, "mobilenet_v2": 3_504_872,
          "resnet18": 11_689_512, "resnet50": 25_557_032, "vgg16": 138_357_544,
          "vit_b_16": 86_567_656, **{f"efficientnet_b{b}": n for b, n in enumerate(
              [5_288_548, 7_794_184, 9_109_994, 12_233_232, 19_341_616, 30_389_784, 43_040_704,
               66_347_960])}}


@pytest.mark.parametrize("name", TWINS)
def test_parameter_count_keys_and_shapes_equal_torchvision(name):
    ours, theirs = twin_on_meta(name)
    assert_twin(ours, theirs, PARAMS.get(name))
    assert get_entry(name).torchvision


def test_every_published_figure_names_a_twin():
    assert set(PARAMS) <= set(TWINS)


def _randomise_statistics(model: nn.Module) -> None:
    """BatchNorm statistics away from (0, 1), so a misplaced norm layer changes the output."""
    gen = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.running_var is not None:
            module.running_mean.copy_(0.1 * torch.randn(module.running_mean.shape, generator=gen))
            module.running_var.copy_(0.5 + torch.rand(module.running_var.shape, generator=gen))


def _smallest_per_family(names: list[str]) -> list[str]:
    """The twin with the fewest parameters (torchvision's metadata) in each family."""
    best: dict[str, str] = {}
    for name in names:
        family, size = get_entry(name).family, _weights(name).meta["num_params"]
        if family not in best or size < _weights(best[family]).meta["num_params"]:
            best[family] = name
    return sorted(best.values())


@pytest.mark.parametrize("name", TWINS)
def test_torchvision_state_dict_loads_strictly(name):
    """Every key and shape: torchvision's state dict (on meta) loads with strict=True."""
    _meta_ours(name).load_state_dict(_meta_theirs(name).state_dict(), strict=True)


@pytest.mark.parametrize("name", _smallest_per_family(TWINS))
def test_torchvision_weights_give_equal_outputs(name):
    """Numbers, for the smallest model of each family (the others differ only in depth and
    width, which the strict load above checks): same weights, same input, same output."""
    torch.manual_seed(0)
    theirs = quiet(_theirs(name))
    with torch.no_grad():
        _randomise_statistics(theirs)
    ours = quiet(_ours(name))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    side = smallest_side(_meta_ours(name), 3, max(32, _weights(name).meta["min_size"][0]))
    x = torch.randn(2, 3, side, side, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = theirs(x)
        torch.testing.assert_close(ours(x), expected, atol=1e-5, rtol=1e-4)
    assert expected.shape == (2, 1000)


@pytest.mark.parametrize("name", TWINS)
def test_macs_agree_with_torchvision_metadata(name):
    weights = _weights(name)
    side = weights.transforms().crop_size[0]  # the weights' own resolution (not min_size)
    macs = _macs(_meta_ours(name), side)
    assert macs == pytest.approx(weights.meta["_ops"], rel=0.02), (name, side, macs)


def _attention_gmacs(model: nn.Module, side: int) -> tuple[float, float]:
    """(all MACs, MACs inside nn.MultiheadAttention modules) of one image, in G."""
    x = torch.empty(1, 3, side, side, device="meta") if _is_meta(model) else torch.zeros(
        1, 3, side, side)
    with FlopCounterMode(display=False) as counter:
        model(x)
    per_module = counter.get_flop_counts()
    prefix = type(model).__name__
    names = [f"{prefix}.{n}" for n, m in model.named_modules()
             if isinstance(m, nn.MultiheadAttention)]
    attention = sum(sum(per_module.get(n, {}).values()) for n in names)
    return counter.get_total_flops() / 2e9, attention / 2e9


def _is_meta(model: nn.Module) -> bool:
    return next(model.parameters()).is_meta


def test_vit_b_16_macs_with_and_without_attention():
    """Why ViT-B/16 reads "11.27 versus 17.56 GMACs": counted on the meta device,
    torch.utils.flop_counter sees every attention product and agrees with torchvision's 17.56;
    without the multi-head attention modules (their in/out projections and the two attention
    products of all 12 layers) 11.27 remain, which is what a CPU count under torch.no_grad()
    gives (next test)."""
    full, attention = _attention_gmacs(_meta_theirs("vit_b_16"), 224)
    assert full == pytest.approx(_weights("vit_b_16").meta["_ops"], rel=1e-3)
    assert full - attention == pytest.approx(VIT_B_16_NO_GRAD_GMACS, abs=0.01)
    assert (full - attention) / full == pytest.approx(0.642, abs=0.001)


def test_flop_counter_misses_fused_attention_on_cpu_without_grad():
    """On the CPU under torch.no_grad(), nn.MultiheadAttention runs one fused kernel that
    FlopCounterMode does not know, so exactly the attention modules' MACs drop out (a small
    ViT of torchvision's design shows it in milliseconds)."""
    torch.manual_seed(0)
    vit = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2,
                                               num_heads=2, hidden_dim=32, mlp_dim=64).eval()
    full, attention = _attention_gmacs(vit, 32)
    assert attention > 0.2 * full
    with torch.no_grad():
        fused, _ = _attention_gmacs(vit, 32)
    assert fused == pytest.approx(full - attention, rel=1e-6)


# ---------------------------------------------------------------- impossible sizes (issue 22)

@pytest.mark.parametrize("name", list_models())
@pytest.mark.parametrize("arg, bad", [("num_classes", 0), ("num_classes", -3),
                                      ("num_classes", 2.5), ("num_classes", True),
                                      ("in_channels", 0), ("in_channels", "3")])
def test_create_refuses_impossible_sizes_naming_the_argument(name, arg, bad):
    with pytest.raises(ValueError, match=rf"{arg} of '{name}' must be a positive int, got"):
        create(name, **{arg: bad})


def test_the_factories_themselves_check_sizes_and_keep_their_signature():
    import inspect

    from dldna.models.resnet import resnet18
    from dldna.models.vit import vit_tiny
    with pytest.raises(ValueError, match="num_classes of 'resnet18'"):
        resnet18(num_classes=0)
    with pytest.raises(ValueError, match="in_channels of 'vit_tiny'"):
        vit_tiny(in_channels=0)
    assert "num_classes" in inspect.signature(resnet18).parameters
    assert get_entry("resnet18").factory is resnet18
