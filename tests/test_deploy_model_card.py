"""The model card: it renders every section and refuses to render with a field missing."""
from __future__ import annotations

import dataclasses

import pytest

from dldna.deploy.model_card import Metric, MissingFieldError, ModelCard


def _card(**changes) -> ModelCard:
    fields = dict(
        name="elpv-mobilenet v1", model="MobileNetV2 features + logistic regression",
        data="ELPV, 1,968 train / 656 test cells, stratified by class × type",
        intended_use="triage of EL images for a human inspector",
        out_of_scope_use="thin-film modules; deciding warranty claims alone",
        metrics=(Metric("binary accuracy", 0.871, 0.845, 0.896, "ELPV test split"),),
        breakdown=(Metric("mono", 0.90, 0.86, 0.94, "ELPV test, mono"),
                   Metric("poly", 0.85, 0.81, 0.88, "ELPV test, poly")),
        failure_modes=("borderline p = 1/3 cells",), licence="data CC BY-NC-SA 4.0")
    fields.update(changes)
    return ModelCard(**fields)


def test_a_complete_card_renders_every_section():
    text = _card(exports=("model.onnx: max |Δlogit| 2e-6",)).render()
    for heading in ("# Model card: elpv-mobilenet v1", "## Data", "## Intended use",
                    "## Out-of-scope use", "## Metrics", "## Breakdown", "## Known failure modes",
                    "## Exports", "## Licence"):
        assert heading in text
    assert "87.1 % [84.5, 89.6]" in text and "| poly | 85.0 % [81.0, 88.0]" in text
    assert "- borderline p = 1/3 cells" in text and "CC BY-NC-SA 4.0" in text


def test_exports_are_optional():
    assert "## Exports" not in _card().render()


@pytest.mark.parametrize("name, empty", [("intended_use", ""), ("licence", "   "),
                                         ("failure_modes", ()), ("metrics", ()),
                                         ("breakdown", None), ("failure_modes", ("",))])
def test_a_missing_field_is_named_and_nothing_renders(name, empty):
    card = _card(**{name: empty})
    with pytest.raises(MissingFieldError, match=name) as caught:
        card.render()
    assert caught.value.missing == [name]


def test_every_missing_field_is_named_at_once(tmp_path):
    card = _card(data="", out_of_scope_use="", licence="")
    with pytest.raises(MissingFieldError) as caught:
        card.save(tmp_path / "card.md")
    assert caught.value.missing == ["data", "out_of_scope_use", "licence"]
    assert not (tmp_path / "card.md").exists()


def test_save_writes_what_render_returns(tmp_path):
    card = _card()
    assert card.save(tmp_path / "c" / "card.md").read_text(encoding="utf-8") == card.render()


def test_metrics_check_their_interval():
    with pytest.raises(ValueError, match="low ≤ value ≤ high"):
        Metric("accuracy", 0.9, 0.92, 0.95, "test")
    with pytest.raises(ValueError, match="finite"):
        Metric("accuracy", float("nan"), 0.0, 1.0, "test")
    ece = Metric("ECE", 0.031, 0.02, 0.045, "test")
    assert ece.formatted(percent=False) == "0.031 [0.02, 0.045]"
    with pytest.raises(TypeError, match="Metric"):
        _card(metrics=("87 %",)).render()


def test_the_card_is_a_frozen_dataclass():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _card().licence = "MIT"


def test_heading_level_moves_every_heading_down():
    text = _card().render(heading_level=4)
    assert text.startswith("#### Model card: elpv-mobilenet v1")
    assert "\n##### Metrics\n" in text and "\n## " not in text
    assert "\n###### Licence" in _card().render(heading_level=6)  # sections stop at level 6
    with pytest.raises(ValueError, match="heading_level"):
        _card().render(heading_level=0)


def test_html_has_real_tables_and_escapes_the_fields():
    page = _card(failure_modes=("p < 1/3 & unsure",)).to_html()
    assert page.startswith('<div class="model-card">\n<h4>Model card: elpv-mobilenet v1</h4>')
    assert "<h5>Breakdown</h5>" in page and page.count("<table>") == 2
    assert "<tr><td>poly</td><td>85.0 % [81.0, 88.0]</td><td>ELPV test, poly</td></tr>" in page
    assert "<li>p &lt; 1/3 &amp; unsure</li>" in page and "|---|" not in page
    with pytest.raises(MissingFieldError, match="licence"):
        _card(licence="").to_html()
