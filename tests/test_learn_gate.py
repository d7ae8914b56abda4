"""bench.learn_gate: the learnt refusal rule only adds refusals, its threshold keeps to the budget, and the whole
procedure, cross-validated by leaving one set out, finds a feature that does separate."""

from __future__ import annotations

import numpy as np

from bench.learn_gate import BUDGET, TRAIN_SETS, Config, Model, Row, cross_validate, procedure, refusals, threshold_for


def _rows(seed: int = 0) -> list[Row]:
    """Four training sets where answerable questions have margins 0.05–0.15 and near-topic ones −0.05–0, all answered."""
    rng = np.random.default_rng(seed)
    rows = []
    for set_name in TRAIN_SETS:
        rows += [Row(set_name, f"{set_name}-a{i}", "answerable", True, {"margin": float(rng.uniform(0.05, 0.15))}) for i in range(40)]
        rows += [Row(set_name, f"{set_name}-n{i}", "near", True, {"margin": float(rng.uniform(-0.05, 0.0))}) for i in range(6)]
    return rows


def test_the_threshold_refuses_at_most_the_budget_of_answerable_questions() -> None:
    rows = [Row("s", f"a{i}", "answerable", True, {}) for i in range(100)] + [Row("s", "g", "answerable", False, {})]
    probabilities = np.linspace(0.0, 1.0, len(rows))
    threshold = threshold_for(probabilities, rows)
    refused = [i for i, r in enumerate(rows) if r.answered and probabilities[i] > threshold]
    assert len(refused) == int(BUDGET * 101)  # 2 of 101, the gate-refused one not counted against the budget
    assert refused == [98, 99]


def test_the_model_only_adds_refusals_to_the_gate() -> None:
    rows = [
        Row("s", "refused by the gate", "answerable", False, {"margin": 0.5}),
        Row("s", "low", "near", True, {"margin": -0.1}),
        Row("s", "high", "answerable", True, {"margin": 0.5}),
    ]
    model = Model(("margin",), np.zeros(1), np.zeros(1), np.ones(1), np.array([-10.0]), 0.0, threshold=0.5)
    assert refusals(rows, None) == [True, False, False]
    assert refusals(rows, model) == [True, True, False]  # the gate's refusal stays, the model adds one, removes none


def test_cross_validation_of_the_procedure_refuses_what_a_separating_feature_separates() -> None:
    rows = _rows()
    folds = cross_validate(rows, Config("margin", 1.0, "all"))
    assert [f.held for f in folds] == list(TRAIN_SETS)
    for fold in folds:
        assert fold.gained == 6  # every near-topic question of the held-out set
        assert fold.added_false <= BUDGET * fold.answerable + 1
        assert fold.auc == 1.0
    model = procedure(rows, Config("margin", 1.0, "all"))
    assert model is not None and model.coef[0] < 0  # a lower margin means "refuse"
