"""Predictions: plain, test-time augmentation (views, averaging, shape checks) and ensembles."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.evaluate import (VIEW_NAMES, ensemble_predict, make_views, predict_logits,
                            predict_proba, tta_predict)


class LeftHalf(nn.Module):
    """Scores that depend on where the ink is: class 0 = left half brighter, class 1 = right."""

    def forward(self, x):
        w = x.shape[-1] // 2
        left, right = x[..., :w].mean((1, 2, 3)), x[..., w:].mean((1, 2, 3))
        return 10 * torch.stack([left - right, right - left], dim=1)


def _images():
    images = torch.zeros(6, 1, 8, 8)
    images[:3, :, :, :4] = 1.0  # ink on the left
    images[3:, :, :, 4:] = 1.0  # ink on the right
    return images


def test_predict_proba_is_softmax_of_the_logits_in_eval_mode():
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 3), nn.Dropout(0.5))
    model.train()
    images = torch.rand(10, 1, 8, 8)
    probs = predict_proba(model, images, batch_size=3)
    assert model.training  # the mode is restored
    assert torch.allclose(probs, predict_logits(model, images).softmax(1))
    assert torch.allclose(probs.sum(1), torch.ones(10))
    with pytest.raises(ValueError, match="images must be a non-empty"):
        predict_proba(model, torch.rand(8, 8))
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        predict_proba(lambda x: x, images)


def test_views_are_the_named_transforms():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    views = make_views(shift=1)
    assert set(VIEW_NAMES) == set(views)
    assert torch.equal(views["hflip"](x), x.flip(-1))
    assert torch.equal(views["vflip"](x), x.flip(-2))
    right = views["shift_right"](x)
    assert torch.equal(right[..., 1:], x[..., :-1]) and (right[..., 0] == 0).all()
    up = views["shift_up"](x)
    assert torch.equal(up[..., :-1, :], x[..., 1:, :]) and (up[..., -1, :] == 0).all()


def test_tta_averages_the_views_probabilities():
    model, images = LeftHalf(), _images()
    mean, each = tta_predict(model, images, ("identity", "hflip"), return_views=True)
    assert list(each) == ["identity", "hflip"]
    assert torch.allclose(mean, (each["identity"] + each["hflip"]) / 2)
    # a mirror image swaps the classes of this model, so the average is exactly ½ everywhere
    assert torch.allclose(mean, torch.full_like(mean, 0.5))
    alone = tta_predict(model, images, ("identity",))
    assert torch.allclose(alone, predict_proba(model, images))
    assert torch.allclose(tta_predict(model, images, [lambda x: x]), alone)


def test_tta_refuses_unknown_views_and_views_that_change_the_shape():
    model, images = LeftHalf(), _images()
    with pytest.raises(ValueError, match="unknown view 'rotate'"):
        tta_predict(model, images, ("identity", "rotate"))
    with pytest.raises(ValueError, match="views must be a non-empty sequence"):
        tta_predict(model, images, "hflip")

    def crop(x):
        return x[..., 1:-1, 1:-1]

    with pytest.raises(ValueError, match="view 'crop' changes the image shape"):
        tta_predict(model, images, ("identity", crop))


def test_ensemble_is_the_mean_of_the_members_probabilities():
    torch.manual_seed(0)
    members = [nn.Sequential(nn.Flatten(), nn.Linear(64, 4)) for _ in range(3)]
    images = torch.rand(7, 1, 8, 8)
    mean, each = ensemble_predict(members, images, return_members=True)
    assert len(each) == 3
    assert torch.allclose(mean, sum(predict_proba(m, images) for m in members) / 3)
    assert torch.allclose(mean.sum(1), torch.ones(7))
    assert torch.allclose(ensemble_predict(members[:1], images), predict_proba(members[0], images))


def test_ensemble_refuses_members_with_different_class_counts():
    images = torch.rand(5, 1, 8, 8)
    members = [nn.Sequential(nn.Flatten(), nn.Linear(64, 10)),
               nn.Sequential(nn.Flatten(), nn.Linear(64, 5))]
    with pytest.raises(ValueError, match=r"class counts are \[10, 5\]"):
        ensemble_predict(members, images)
    with pytest.raises(ValueError, match="models must be a non-empty list"):
        ensemble_predict([], images)
    with pytest.raises(ValueError, match="models must be a non-empty list"):
        ensemble_predict(members[0], images)
