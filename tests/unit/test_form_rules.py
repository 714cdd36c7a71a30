"""Which Launch fields apply is decided from the form's values, whatever a hand-edited recipe holds."""

from __future__ import annotations

import pytest

from aigc_tui.ui.widgets.form_rules import rules_for


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "12x", None])
def test_a_non_integer_process_count_hides_the_multi_process_fields_instead_of_crashing(value):
    rules = rules_for("gan")
    values = {"run": {"nproc": value, "nnodes": value}}
    assert rules[("run", "rdzv_endpoint")](values) is False
    assert rules[("run", "max_restarts")](values) is False


def test_several_nodes_show_the_rendezvous_field():
    assert rules_for("lm")[("run", "rdzv_endpoint")]({"run": {"nnodes": 2}}) is True


def test_data_root_and_download_only_for_torchvision_sets():
    rules = rules_for("gan")
    for source, applies in (("builtin:digits", False), ("imagefolder:/data/faces", False), ("mnist", True),
                            ("cifar10", True), ("fashion-mnist", True)):
        values = {"data": {"source": source}}
        assert rules[("data", "root")](values) is applies, source
        assert rules[("data", "download")](values) is applies, source


@pytest.mark.parametrize("kind", ["lm", "classify"])
def test_scratch_sizes_show_for_the_from_scratch_fallback_of_a_missing_pretrained_model(kind):
    n_layer = rules_for(kind)[("model", "n_layer")]
    assert n_layer({"model": {}}) is True  # from scratch
    assert n_layer({"model": {"pretrained": "gpt2", "if_missing": "error"}}) is False  # fine-tune only
    assert n_layer({"model": {"pretrained": "gpt2", "if_missing": "scratch"}}) is True  # the fallback's sizes
