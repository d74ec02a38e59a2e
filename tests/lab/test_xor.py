import itertools

import numpy as np
import pytest

from app.lab.xor import (
    XOR_INPUTS,
    XOR_TARGETS,
    best_affine_fit,
    hand_set_solution,
    separation_proof,
)


def test_truth_table_is_in_the_project_order() -> None:
    assert XOR_INPUTS.tolist() == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert XOR_TARGETS.tolist() == [0.0, 1.0, 1.0, 0.0]


def test_best_affine_fit_predicts_one_half_everywhere() -> None:
    fit = best_affine_fit()
    assert fit.weights.tolist() == [0.0, 0.0]
    assert fit.bias == 0.5
    assert fit.predictions.tolist() == [0.5, 0.5, 0.5, 0.5]
    assert fit.mse == 0.25


def test_best_affine_fit_solves_the_normal_equations() -> None:
    fit = best_affine_fit()
    design = np.hstack([XOR_INPUTS, np.ones((4, 1))])
    residual = design @ np.append(fit.weights, fit.bias) - XOR_TARGETS
    np.testing.assert_array_equal(design.T @ residual, np.zeros(3))


@pytest.mark.parametrize(
    ("targets", "weights", "bias"),
    [
        ([0.0, 0.0, 0.0, 1.0], [0.5, 0.5], -0.25),  # AND
        ([0.0, 1.0, 1.0, 1.0], [0.5, 0.5], 0.25),  # OR
        ([1.0, 1.0, 0.0, 0.0], [-1.0, 0.0], 1.0),  # NOT x1, fitted exactly
    ],
)
def test_best_affine_fit_of_other_gates_is_exact(
    targets: list[float], weights: list[float], bias: float
) -> None:
    fit = best_affine_fit(XOR_INPUTS, np.array(targets))
    assert fit.weights.tolist() == weights
    assert fit.bias == bias
    design = np.hstack([XOR_INPUTS, np.ones((4, 1))])
    expected = np.linalg.lstsq(design, np.array(targets), rcond=None)[0]
    np.testing.assert_allclose(np.append(fit.weights, fit.bias), expected, atol=1e-12)


def test_proof_lists_one_inequality_per_point() -> None:
    proof = separation_proof()
    assert [i.text for i in proof.inequalities] == [
        "b <= 0",
        "w2 + b > 0",
        "w1 + b > 0",
        "w1 + w2 + b <= 0",
    ]
    assert [i.inputs for i in proof.inequalities] == [[p] for p in XOR_INPUTS.tolist()]
    assert [i.target for i in proof.inequalities] == XOR_TARGETS.tolist()


def test_proof_sums_contradict() -> None:
    positive, negative = separation_proof().sums
    assert positive.text == "w1 + w2 + 2b > 0"
    assert negative.text == "w1 + w2 + 2b <= 0"
    assert positive.coefficients == negative.coefficients == [1, 1, 2]
    assert positive.inputs == [[0.0, 1.0], [1.0, 0.0]]
    assert negative.inputs == [[0.0, 0.0], [1.0, 1.0]]
    assert "w1 + w2 + 2b > 0" in separation_proof().contradiction


def test_each_inequality_is_the_condition_a_line_puts_on_its_point() -> None:
    rng = np.random.default_rng(0)
    for w1, w2, b in rng.normal(size=(200, 3)):
        for ineq, x in zip(separation_proof().inequalities, XOR_INPUTS, strict=True):
            value = float(np.dot(ineq.coefficients, [w1, w2, b]))
            assert value == pytest.approx(w1 * x[0] + w2 * x[1] + b, abs=1e-12)
            holds = value > 0 if ineq.relation == ">" else value <= 0
            assert holds == ((w1 * x[0] + w2 * x[1] + b > 0) == (ineq.target == 1.0))


def test_no_line_on_a_fine_grid_separates_xor() -> None:
    grid = np.linspace(-3, 3, 61)
    lines = np.array(list(itertools.product(grid, grid, grid)))  # rows (w1, w2, b)
    design = np.hstack([XOR_INPUTS, np.ones((4, 1))])
    predicted = (lines @ design.T > 0).astype(float)
    assert not np.any(np.all(predicted == XOR_TARGETS, axis=1))
    # The same grid does separate AND, so the search is able to find a line when there is one.
    assert np.any(np.all(predicted == np.array([0.0, 0.0, 0.0, 1.0]), axis=1))


def test_hand_set_network_computes_xor_exactly() -> None:
    net = hand_set_solution()
    assert net.hidden_preactivations.tolist() == [[0.0, -1.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0]]
    assert net.hidden_activations.tolist() == [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0]]
    assert net.outputs.tolist() == [0.0, 1.0, 1.0, 0.0]
    np.testing.assert_array_equal(net.outputs, XOR_TARGETS)
    assert net.hidden_weights.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert net.hidden_biases.tolist() == [0.0, -1.0]
    assert net.output_weights.tolist() == [1.0, -2.0]
    assert net.output_bias == 0.0
