"""Augmentation helpers, the playground's pure function and the chapter 10/11 checkers."""
from __future__ import annotations

import math

import pytest
import torch

from dldna.data.augment import (OPS, BatchAugment, PerImage, augment_samples, make_op, mix_pair,
                           standard_augment)
from dldna.exercises.augmentation import check_mixup, check_random_crop
from dldna.exercises.recipes import check_smooth_labels, check_warmup_cosine
from dldna.widgets.augmentation import augmentation_figure, photo_tensor


@pytest.mark.parametrize("op", OPS)
def test_every_op_keeps_shape_and_range_and_is_seeded(op):
    image = torch.rand(3, 24, 24, generator=torch.Generator().manual_seed(0))
    first = augment_samples(image, op, 0.8, n=3, seed=5)
    assert first.shape == (3, 3, 24, 24) and 0 <= first.min() and first.max() <= 1
    assert torch.equal(first, augment_samples(image, op, 0.8, n=3, seed=5))


def test_samples_leave_the_global_random_stream_alone():
    image = torch.rand(3, 8, 8)
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    augment_samples(image, "rotation", 0.5, n=2, seed=9)
    assert torch.equal(torch.rand(3), expected)


def test_zero_magnitude_flip_and_erasing_are_identity():
    image = torch.rand(3, 16, 16)
    for op in ("horizontal flip", "random erasing", "pad + random crop"):
        assert torch.equal(make_op(op, 0.0, size=16)(image), image)


def test_bad_op_arguments():
    with pytest.raises(ValueError, match="op must be one of"):
        make_op("shear")
    with pytest.raises(ValueError, match="magnitude"):
        make_op("rotation", 2.0)
    with pytest.raises(ValueError, match="needs the image size"):
        make_op("pad + random crop", 0.5)


@pytest.mark.parametrize("kind", ["mixup", "cutmix"])
def test_mixed_label_matches_the_mixed_pixels(kind):
    black, white = torch.zeros(3, 32, 32), torch.ones(3, 32, 32)
    mixed, soft = mix_pair(black, 0, white, 2, kind=kind, num_classes=3, seed=3)
    assert soft.sum() == pytest.approx(1.0) and soft[1] == 0
    # the share of the white image in the pixels is exactly its label weight (area for CutMix)
    assert float(mixed.mean()) == pytest.approx(float(soft[2]), abs=1e-5)


def test_standard_augment_batch_and_soft_labels():
    torch.manual_seed(0)
    aug = standard_augment(16, colour=0.3, randaugment=9, erasing=0.5, mix="mixup",
                           num_classes=4)
    x, y = aug(torch.rand(6, 3, 16, 16), torch.tensor([0, 1, 2, 3, 0, 1]))
    assert x.shape == (6, 3, 16, 16) and y.shape == (6, 4)
    assert torch.allclose(y.sum(1), torch.ones(6))
    x2, y2 = PerImage(lambda im: im.flip(-1))(x, torch.arange(6))
    assert torch.equal(x2, x.flip(-1)) and torch.equal(y2, torch.arange(6))


def test_batch_augment_crops_flips_and_erases_each_image_on_its_own():
    torch.manual_seed(0)
    images = torch.rand(64, 1, 10, 10) + 1  # values in [1, 2): padding zeros stand out
    labels = torch.arange(64)
    assert torch.equal(BatchAugment()(images, labels)[0], images)  # nothing switched on
    cropped, same = BatchAugment(crop_padding=2)(images, labels)
    assert torch.equal(same, labels) and cropped.shape == images.shape
    offsets = set()
    for image, out in zip(images, cropped):  # every output is a window of the padded image
        padded = torch.nn.functional.pad(image, (2,) * 4)
        found = [(t, u) for t in range(5) for u in range(5)
                 if torch.equal(padded[:, t:t + 10, u:u + 10], out)]
        assert found
        offsets.add(found[0])
    assert len(offsets) > 10  # drawn per image, not once per batch
    flipped, _ = BatchAugment(flip=True)(images, labels)
    mirrored = [torch.equal(o, i.flip(-1)) for i, o in zip(images, flipped)]
    assert all(m or torch.equal(o, i) for m, i, o in zip(mirrored, images, flipped))
    assert 10 < sum(mirrored) < 54
    erased, _ = BatchAugment(erasing=1.0, value=0.0)(images, labels)
    for out in erased:  # one filled rectangle, about 2–33 % of the image (sides rounded)
        rows, cols = torch.nonzero(out[0] == 0, as_tuple=True)
        area = len(rows)
        assert 1 <= area <= 0.5 * 100
        assert area == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
    with pytest.raises(ValueError, match="crop_padding"):
        BatchAugment(crop_padding=-1)
    with pytest.raises(ValueError, match="erasing"):
        BatchAugment(erasing=2.0)
    with pytest.raises(ValueError, match="images"):
        BatchAugment(flip=True)(torch.rand(3, 8, 8), labels[:3])


def test_playground_figure_and_photo():
    image = photo_tensor("coffee", size=48)
    assert image.shape == (3, 48, 48)
    fig = augmentation_figure(image, "colour jitter", 0.6, seed=1, n=4)
    assert len(fig.axes) == 5  # no empty frames left in the last row of the grid
    wide = augmentation_figure(image, "rotation", 0.5, n=5, columns=3)
    assert len(wide.axes) == 6  # drawn for the content column: readable, not shrunk
    assert 6.5 <= wide.get_size_inches()[0] <= 7
    with pytest.raises(ValueError, match="columns"):
        augmentation_figure(image, "rotation", columns=0)


def test_playground_widget_builds():
    pytest.importorskip("ipywidgets")
    from dldna.widgets.augmentation import augmentation_playground

    box = augmentation_playground("coffee", "rotation", magnitude=0.8, seed=3)
    assert len(box.children) == 3
    magnitude, seed = box.children[1].children
    assert magnitude.value == 0.8 and seed.value == 3  # starts where the static figure does
    with pytest.raises(ValueError, match="magnitude"):
        augmentation_playground("coffee", "rotation", magnitude=2.0)
    with pytest.raises(ValueError, match="photo_name"):
        augmentation_playground("nope")


# ---- checkers: right answers pass, typical mistakes get specific feedback, nothing raises

def good_crop(image, padding, generator):
    padded = torch.nn.functional.pad(image, (padding,) * 4)
    top, left = torch.randint(0, 2 * padding + 1, (2,), generator=generator).tolist()
    return padded[:, top:top + image.shape[1], left:left + image.shape[2]]


def test_check_random_crop():
    assert check_random_crop(good_crop)
    fixed = check_random_crop(lambda im, p, g: im)
    assert not fixed and "different offset" in str(fixed)
    wrong = check_random_crop(lambda im, p, g: torch.nn.functional.pad(im, (p,) * 4))
    assert not wrong and "shape" in str(wrong)

    def stub(image, padding, generator):
        raise NotImplementedError

    assert "not attempted" in str(check_random_crop(stub))


def good_mixup(x1, y1, x2, y2, lam, num_classes):
    eye = torch.eye(num_classes)
    return lam * x1 + (1 - lam) * x2, lam * eye[y1] + (1 - lam) * eye[y2]


def test_check_mixup():
    assert check_mixup(good_mixup)
    swapped = check_mixup(lambda x1, y1, x2, y2, lam, k: good_mixup(x1, y1, x2, y2, 1 - lam, k))
    assert not swapped and "swapped" in str(swapped)


def test_check_warmup_cosine():
    from dldna.exercises.recipes import warmup_cosine_reference

    assert check_warmup_cosine(warmup_cosine_reference)
    no_floor = check_warmup_cosine(lambda s, t, w, p, f: warmup_cosine_reference(s, t, w, p, 0.0))
    assert not no_floor and "cosine" in str(no_floor)
    assert not check_warmup_cosine(lambda s, t, w, p, f: p)


def test_check_smooth_labels():
    def good(labels, k, eps):
        return torch.nn.functional.one_hot(labels, k) * (1 - eps) + eps / k

    assert check_smooth_labels(good)
    forgot = check_smooth_labels(
        lambda labels, k, eps: torch.nn.functional.one_hot(labels, k) * (1 - eps)
        + eps / (k - 1) * (1 - torch.nn.functional.one_hot(labels, k)))
    assert not forgot and "ε/K" in str(forgot)
    assert math.isclose(1 - 0.1 + 0.1 / 4, 0.925)


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, -90.0, 180.0, 123.0])
@pytest.mark.parametrize("size", [(8, 8), (9, 9)])
def test_rotate_batch_equals_torchvision_rotate(angle, size):
    from torchvision.transforms.v2 import functional as TF

    from dldna.data.augment import rotate_batch

    images = torch.rand(3, 2, *size, generator=torch.Generator().manual_seed(1))
    assert torch.equal(rotate_batch(images, torch.full((3,), angle)), TF.rotate(images, angle))


@pytest.mark.parametrize("angle", [0.0, 90.0, -90.0, 180.0])
def test_rotate_batch_quarter_turns_of_non_square_images(angle):
    from torchvision.transforms.v2 import functional as TF

    from dldna.data.augment import rotate_batch

    images = torch.rand(3, 2, 9, 13, generator=torch.Generator().manual_seed(1))
    assert torch.equal(rotate_batch(images, torch.full((3,), angle)), TF.rotate(images, angle))


def test_batch_rotation_draws_one_angle_per_image_within_range():
    from dldna.data.augment import BatchRotation, rotate_batch

    images = torch.rand(64, 1, 8, 8)
    labels = torch.arange(64)
    torch.manual_seed(0)
    rotated, same = BatchRotation(45)(images, labels)
    assert torch.equal(same, labels)
    torch.manual_seed(0)
    angles = (torch.rand(64) * 2 - 1) * 45
    assert angles.abs().max() <= 45 and angles.std() > 10  # spread over the range
    assert torch.equal(rotated, rotate_batch(images, angles))
    assert torch.equal(BatchRotation(0)(images, labels)[0], images)
    with pytest.raises(ValueError, match="degrees"):
        BatchRotation(270)
    with pytest.raises(ValueError, match="N×C×H×W"):
        BatchRotation(10)(images[0], labels)


# ---------------------------------------------------------------- checked when built (issue 22)

@pytest.mark.parametrize("kwargs, message", [
    (dict(randaugment=31),
     r"randaugment \(the RandAugment magnitude\) must be an int in \[0, 30\]"),
    (dict(randaugment=-1), r"must be an int in \[0, 30\], got -1"),
    (dict(randaugment=9.5), r"must be an int in \[0, 30\], got 9.5"),
    (dict(erasing=1.5), r"erasing \(a probability\) must be a number in \[0, 1\]"),
    (dict(colour=-0.1), r"colour must be a number in \[0, 1\]"),
    (dict(crop_padding=-2), r"crop_padding must be an int"),
    (dict(mix="mixup", num_classes=0), "num_classes must be a positive int, got 0"),
    (dict(mix="mixup", alpha=-1.0), "alpha must be a positive number"),
    (dict(mix="blend"), "mix must be 'mixup' or 'cutmix'"),
])
def test_standard_augment_checks_its_settings_when_built_not_when_run(kwargs, message):
    from dldna.data.augment import standard_augment
    with pytest.raises(ValueError, match=message):
        standard_augment(32, **kwargs)


@pytest.mark.parametrize("magnitude", [-0.1, 1.5, "high", None])
def test_make_op_refuses_a_magnitude_outside_zero_one(magnitude):
    from dldna.data.augment import make_op
    with pytest.raises(ValueError, match=r"magnitude must be a number in \[0, 1\]"):
        make_op("RandAugment", magnitude)


def test_batch_augment_checks_its_settings():
    from dldna.data.augment import BatchAugment
    with pytest.raises(ValueError, match=r"erasing \(a probability\)"):
        BatchAugment(erasing=2)
    with pytest.raises(ValueError, match="crop_padding must be an int"):
        BatchAugment(crop_padding=1.5)
