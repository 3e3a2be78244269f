"""Checkers of chapters 5 and 6: right answers pass, typical wrong answers get specific hints."""
from __future__ import annotations

from dldna.exercises.classic import check_stack_cost, check_vgg_conv_params
from dldna.exercises.inception import check_inception_macs, check_separable_macs


def _vgg(config, c):
    total = 0
    for item in config:
        if item != "M":
            total, c = total + item * c * 9 + item, item
    return total


def _not_written(*args):
    raise NotImplementedError


def test_vgg_conv_params():
    assert check_vgg_conv_params(_vgg)
    no_bias = check_vgg_conv_params(lambda cfg, c: _vgg(cfg, c) - sum(x for x in cfg if x != "M"))
    assert not no_bias and "biases are missing" in str(no_bias)
    unchained = check_vgg_conv_params(lambda cfg, c: sum(x * c * 9 + x for x in cfg if x != "M"))
    assert not unchained and "previous layer's output" in str(unchained)
    assert "not attempted" in str(check_vgg_conv_params(_not_written))


def test_stack_cost():
    assert check_stack_cost(lambda k, c: ((k - 1) // 2, (k - 1) // 2 * 9 * c * c, k * k * c * c))
    wrong = check_stack_cost(lambda k, c: ((k - 1) // 2, (k - 1) // 2 * 9 * c, k * k * c * c))
    assert not wrong and "9·C²" in str(wrong)
    layers = check_stack_cost(lambda k, c: (k // 3, 0, k * k * c * c))
    assert not layers and "(k − 1)/2" in str(layers)
    assert not check_stack_cost(lambda k, c: None)


def _reduced(s, i, c1, r3, c3, r5, c5, pp, k5=5):
    return s * s * (i * (c1 + r3 + r5 + pp) + r3 * c3 * 9 + r5 * c5 * k5 * k5)


def test_inception_macs():
    assert check_inception_macs(_reduced)
    naive = check_inception_macs(lambda s, i, c1, r3, c3, r5, c5, pp:
                                 s * s * i * (c1 + 9 * c3 + 25 * c5))
    assert not naive and "naive module" in str(naive)
    no_pool = check_inception_macs(lambda s, i, c1, r3, c3, r5, c5, pp:
                                   _reduced(s, i, c1, r3, c3, r5, c5, pp) - s * s * i * pp)
    assert not no_pool and "projection" in str(no_pool)
    three = check_inception_macs(lambda *a: _reduced(*a, k5=3))
    assert not three and "true 5×5" in str(three)


def test_separable_macs():
    def right(i, o, k, s):
        return s * s * o * k * k * i, s * s * i * k * k + s * s * i * o

    assert check_separable_macs(right)
    no_pointwise = check_separable_macs(lambda i, o, k, s: (right(i, o, k, s)[0],
                                                            s * s * i * k * k))
    assert not no_pointwise and "pointwise" in str(no_pointwise)
    assert not check_separable_macs(lambda i, o, k, s: right(i, o, k, s)[0])
