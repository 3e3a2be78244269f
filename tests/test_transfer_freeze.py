"""dldna.transfer.freeze: the three strategies, locked BatchNorm, discriminative rates."""
from __future__ import annotations

import io
import pickle

import pytest
import torch
import torchvision.models as tv
from torch.nn.modules.batchnorm import _BatchNorm

from dldna.transfer import (count_parameters, find_head, is_locked, lock_batchnorm, prepare,
                            stages, unlock_batchnorm)


def _model():
    torch.manual_seed(0)
    return tv.mobilenet_v2(width_mult=0.5)


def _bn_means(model):
    return [m.running_mean.clone() for m in model.modules() if isinstance(m, _BatchNorm)]


def test_linear_probe_trains_only_the_head():
    prep = prepare(_model(), "linear_probe", 10)
    assert prep.trainable == 1280 * 10 + 10 == count_parameters(prep.model)
    assert prep.locked_bn == sum(isinstance(m, _BatchNorm) for m in prep.model.modules())
    assert prep.learning_rates() == {"classifier.1": 1e-3}


def test_frozen_batchnorm_statistics_do_not_move_after_train():
    """requires_grad=False alone lets BN running statistics drift (pytorch #86590)."""
    x = torch.rand(8, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    prep = prepare(_model(), "linear_probe", 10)
    before = _bn_means(prep.model)
    prep.model.train()
    prep.model(x)
    assert all(torch.equal(a, b) for a, b in zip(before, _bn_means(prep.model)))
    assert not any(m.training for m in prep.model.modules() if isinstance(m, _BatchNorm))
    # Without the lock the same forward moves them: the test above can fail.
    loose = prepare(_model(), "linear_probe", 10, lock_bn=False)
    before = _bn_means(loose.model)
    loose.model.train()
    loose.model(x)
    assert not all(torch.equal(a, b) for a, b in zip(before, _bn_means(loose.model)))


def test_top_stages_train_and_their_batchnorm_is_free():
    model = _model()
    prep = prepare(model, "top", 10, top_stages=2)
    body = stages(model)
    top = sum(count_parameters(s, None) for _, s in body[-2:])
    assert prep.trainable == top + 1280 * 10 + 10
    model.train()
    assert model.features[18][1].training and not model.features[0][1].training
    assert prep.frozen_stages == [n for n, _ in body[:-2]]
    too_many = len(body) + 1
    with pytest.raises(ValueError, match=f"top_stages={too_many} but MobileNetV2 has only "
                                         f"{len(body)} stages"):
        prepare(_model(), "top", 10, top_stages=too_many)


def test_full_uses_discriminative_learning_rates():
    prep = prepare(_model(), "full", 10, lr=1e-2, backbone_lr_factor=0.1)
    rates = list(prep.learning_rates().values())
    assert rates[-1] == 1e-2 and rates[0] == pytest.approx(1e-3)
    assert rates == sorted(rates)  # smaller for earlier layers
    grouped = [id(p) for g in prep.param_groups for p in g["params"]]
    assert sorted(grouped) == sorted(id(p) for p in prep.model.parameters())
    optimizer = prep.optimizer("sgd")
    assert [g["lr"] for g in optimizer.param_groups] == rates
    assert prep.trainable == prep.total and prep.locked_bn == 0


def test_locked_model_keeps_its_state_dict_and_pickles():
    plain = _model()
    prep = prepare(_model(), "linear_probe", 10)
    keys = set(prep.model.state_dict())
    replace = set(plain.state_dict())
    assert keys == replace
    clone = pickle.loads(pickle.dumps(prep.model))
    assert is_locked(clone.features[0][1])
    torch.save(prep.model.state_dict(), io.BytesIO())
    assert unlock_batchnorm(prep.model) == prep.locked_bn
    prep.model.train()
    assert prep.model.features[0][1].training
    assert lock_batchnorm(prep.model.features) == prep.locked_bn


@pytest.mark.parametrize("kwargs, match", [
    ({"strategy": "partial"}, "strategy must be one of"),
    ({"num_classes": 0}, "num_classes"),
    ({"top_stages": 0}, "top_stages"),
    ({"lr": -1.0}, "lr must be"),
    ({"backbone_lr_factor": 2.0}, "backbone_lr_factor"),
])
def test_prepare_rejects_bad_input(kwargs, match):
    args = {"strategy": "full", "num_classes": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        prepare(_model(), args.pop("strategy"), args.pop("num_classes"), **args)
    with pytest.raises(TypeError, match="model must be"):
        prepare(None, "full", 10)
    with pytest.raises(ValueError, match="no nn.Linear"):
        prepare(torch.nn.Conv2d(3, 3, 1), "full", 10)
    assert find_head(_model())[0] == "classifier.1"
