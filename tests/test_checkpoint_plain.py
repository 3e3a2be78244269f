"""dldna.checkpoint.plain: whatever save_checkpoint/save_model accept, load_* reads back; what
they cannot store is refused when writing, never when reading."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dldna.checkpoint import load_checkpoint, plain, save_checkpoint
from dldna.models import create
from dldna.models.io import load_model, save_model

_SETTINGS = settings(max_examples=25, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
    st.text(max_size=8),  # any unicode, non-ASCII included
    st.integers(-1000, 1000).map(np.int64), st.floats(-1e6, 1e6).map(np.float32),
    st.floats(-1e6, 1e6).map(np.float64), st.booleans().map(np.bool_),
    st.lists(st.floats(-10, 10), max_size=4).map(np.array),
    st.lists(st.integers(-9, 9), max_size=4).map(torch.tensor),
)
metadata = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)


def _equal(a, b) -> bool:
    """``a`` (what was given) equals ``b`` (what came back), NumPy values as their plain twins."""
    if isinstance(a, np.generic):
        return type(b) in (int, float, bool) and b == a.item()
    if isinstance(a, (np.ndarray, torch.Tensor)):
        return isinstance(b, torch.Tensor) and torch.equal(torch.as_tensor(a), b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@_SETTINGS
@given(value=metadata)
def test_save_checkpoint_round_trips_numpy_tensors_nested_dicts_and_unicode(tmp_path, value):
    path = save_checkpoint(tmp_path / "c.pt", {"meta": value})
    assert _equal(value, load_checkpoint(path)["meta"])


@_SETTINGS
@given(info=st.dictionaries(st.text(max_size=6), metadata, max_size=3))
def test_save_model_round_trips_any_plain_info(tmp_path, info):
    path = save_model(create("digits_cnn", num_classes=3), tmp_path / "m.pt", info=info)
    loaded = load_model(path)[1]
    assert all(_equal(info[k], loaded[k]) for k in info if k not in ("model", "kwargs"))


def test_the_reported_numpy_mean_loads_back(tmp_path):
    accuracies = [0.91, 0.93, 0.95]
    path = save_model(create("digits_cnn"), tmp_path / "m.pt",
                      info={"accuracy": np.mean(accuracies), "per_seed": np.array(accuracies),
                            "classes": ["zéro", "一", "два"], "nested": {"std": np.std([1, 2])}})
    info = load_model(path)[1]
    assert info["accuracy"] == pytest.approx(0.93) and type(info["accuracy"]) is float
    assert info["per_seed"].tolist() == pytest.approx(accuracies)
    assert info["classes"] == ["zéro", "一", "два"] and info["nested"] == {"std": 0.5}


@pytest.mark.parametrize("bad, where", [
    ({"when": object()}, r"info\['when'\]"),
    ({"fn": len}, r"info\['fn'\]"),
    ({"deep": {"x": [1, {2, 3}]}}, r"info\['deep'\]\['x'\]\[1\]"),
    ({"arr": np.array([object()])}, r"info\['arr'\]\[0\]"),
])
def test_unstorable_metadata_is_refused_before_writing(tmp_path, bad, where):
    with pytest.raises(TypeError, match=where + " must hold only"):
        save_model(create("digits_cnn"), tmp_path / "m.pt", info=bad)
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file


def test_a_folder_or_a_file_as_folder_is_refused_with_a_hint(tmp_path):
    model = create("digits_cnn")
    with pytest.raises(ValueError, match="is a folder; give a file name inside it"):
        save_model(model, tmp_path)
    with pytest.raises(ValueError, match="is a folder"):
        save_checkpoint(tmp_path, {"a": 1})
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        save_checkpoint(tmp_path / "file" / "c.pt", {"a": 1})
    with pytest.raises(TypeError, match="path must be a str or a pathlib.Path"):
        save_checkpoint(3, {"a": 1})


def test_missing_parent_folders_are_created(tmp_path):
    path = save_model(create("digits_cnn"), tmp_path / "a" / "b" / "m.pt", info={"n": np.int8(2)})
    assert load_model(path)[1]["n"] == 2


def test_plain_converts_and_keeps_int_keys_of_optimizer_state():
    assert plain({0: {"step": np.int64(3)}}) == {0: {"step": 3}}
    with pytest.raises(TypeError, match="non-str key 0"):
        plain({0: 1}, "info", str_keys=True)
    assert plain((np.float32(0.5), "é")) == (0.5, "é")
