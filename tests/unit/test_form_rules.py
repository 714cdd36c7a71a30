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
