"""dldna.resnet_family: stage table against torchvision, block costs, grouped convolutions."""
from __future__ import annotations

from dldna.experiments import resnet_family


def test_stage_table_counts_equal_torchvision_and_the_paper():
    table = resnet_family.stage_table()
    assert list(table.model) == list(resnet_family.FAMILY)
    assert (table["parameters (dldna)"] == table["parameters (torchvision)"]).all()
    assert list(table["parameters (dldna)"]) == [11_689_512, 21_797_672, 25_557_032,
                                                 44_549_160, 60_192_808]
    assert list(table["weighted layers"]) == [18, 34, 50, 101, 152]


def test_bottleneck_is_cheaper_than_two_3x3_at_the_same_width():
    costs = resnet_family.block_costs(256, 56).set_index("block")
    basic, bottle = costs.iloc[0], costs.iloc[1]
    assert basic.parameters == 2 * 9 * 256 * 256 + 4 * 256
    assert bottle.parameters == 256 * 64 + 9 * 64 * 64 + 64 * 256 + 2 * (64 + 64 + 256)
    # the counter counts the convolutions' multiply-adds: weights × output positions
    assert bottle.MACs == 56 * 56 * (256 * 64 + 9 * 64 * 64 + 64 * 256)
    assert basic.MACs == 56 * 56 * 2 * 9 * 256 * 256


def test_grouped_bottleneck_params():
    assert resnet_family.grouped_bottleneck_params(256, 128, 32) == 256 * 128 + 128 * 4 * 9 \
        + 128 * 256
    assert resnet_family.grouped_bottleneck_params(256, 64, 1) == 69_632
