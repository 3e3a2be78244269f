"""Checkers of chapter 12 accept right answers and explain wrong ones."""
from __future__ import annotations

from torch import nn

from dldna.exercises.transfer import SITUATIONS, check_freeze, check_strategy_choice
from dldna.transfer import prepare, replace_head


def test_freeze_checker_accepts_the_library_solution():
    assert check_freeze(lambda model, k: prepare(model, "linear_probe", k).model)


def test_freeze_checker_explains_the_batchnorm_trap():
    def requires_grad_only(model, k):
        model.requires_grad_(False)
        replace_head(model, k)
        return model

    feedback = check_freeze(requires_grad_only)
    assert not feedback
    text = str(feedback)
    assert "training mode after model.train()" in text and "running means" in text
    assert "exactly the head's" in text  # the count itself was right


def test_freeze_checker_counts_parameters_and_outputs():
    def head_not_replaced(model, k):
        model.requires_grad_(False)
        model.classifier[1].requires_grad_(True)
        return None  # changed in place

    feedback = check_freeze(head_not_replaced)
    assert not feedback and "1000 outputs" in str(feedback)

    def nothing_frozen(model, k):
        replace_head(model, k)
        return model

    assert "parameters are trainable" in str(check_freeze(nothing_frozen))
    assert "not attempted" in str(check_freeze(lambda m, k: (_ for _ in ()).throw(
        NotImplementedError())))
    assert "return the model" in str(check_freeze(lambda m, k: 3))
    assert "no classifier head" in str(check_freeze(lambda m, k: nn.Conv2d(3, 3, 1)))


def test_strategy_checker_explains_every_answer():
    right = {"a": "linear_probe", "b": "full", "c": "top"}
    feedback = check_strategy_choice(right)
    assert feedback and len(feedback.passed_checks) == len(SITUATIONS)
    wrong = check_strategy_choice({"a": "full", "b": "full", "c": "guess"})
    assert not wrong and "`linear_probe`, because" in str(wrong) and "'guess'" in str(wrong)
    assert "must be a dict" in str(check_strategy_choice(["top"]))
