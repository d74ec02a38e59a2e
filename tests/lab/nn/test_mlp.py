"""The stacked MLP: layout, hand-written backprop against central differences, optimisers."""

import math

import numpy as np
import pytest

from app.lab.activations import ACTIVATIONS, Activation
from app.lab.nn.mlp import (
    CHAINED_SUM_POINTS,
    LOSS_NAMES,
    LOSSES_OF,
    OUTPUT_NAMES,
    Head,
    HeadError,
    Layout,
    Optimizer,
    Stack,
    add_penalty_gradient,
    collapse,
    init_theta,
    penalty,
    r_squared,
    sum_over_points,
)

HEADS = [
    Head("sigmoid", "bce"),
    Head("sigmoid", "mse"),
    Head("softmax", "cross_entropy"),
    Head("linear", "mse"),
]


def head_id(head: Head) -> str:
    return f"{head.output}-{head.loss}"


def test_heads_are_exactly_the_pairs_the_domain_allows() -> None:
    allowed = {(h.output, h.loss) for h in HEADS}
    assert {(o, loss) for o, losses in LOSSES_OF.items() for loss in losses} == allowed
    for output in OUTPUT_NAMES:
        for loss in LOSS_NAMES:
            if (output, loss) in allowed:
                assert Head(output, loss).loss == loss
            else:
                with pytest.raises(HeadError):
                    Head(output, loss)


def test_softmax_with_bce_is_refused_with_the_fitting_loss_named() -> None:
    # bce's per-unit formula on a softmax head had a gradient (p - y) that is not its own.
    with pytest.raises(
        HeadError, match="output 'softmax' is trained with loss 'cross_entropy', not 'bce'"
    ):
        Head("softmax", "bce")
    with pytest.raises(HeadError, match="sigmoid takes bce or mse"):
        Head("sigmoid", "cross_entropy")


@pytest.mark.parametrize(
    ("n_classes", "output", "loss", "expected"),
    [
        (2, None, None, Head("sigmoid", "bce")),
        (3, None, None, Head("softmax", "cross_entropy")),
        (2, "softmax", None, Head("softmax", "cross_entropy")),
        (2, "sigmoid", "mse", Head("sigmoid", "mse")),
        (0, None, None, Head("linear", "mse")),
        (0, "linear", "mse", Head("linear", "mse")),
    ],
)
def test_head_for_classes_fills_in_output_and_loss(
    n_classes: int, output: str | None, loss: str | None, expected: Head
) -> None:
    assert Head.for_classes(n_classes, output, loss) == expected  # type: ignore[arg-type]


def test_sigmoid_for_three_classes_is_refused() -> None:
    with pytest.raises(HeadError, match="this data has 3: use 'softmax'"):
        Head.for_classes(3, "sigmoid")


def test_head_layout_has_one_sigmoid_unit_or_one_softmax_unit_per_class() -> None:
    assert Head("sigmoid", "bce").layout(2, (4, 3), 2).sizes == (2, 4, 3, 1)
    assert Head("softmax", "cross_entropy").layout(5, (), 3).sizes == (5, 3)
    assert Head("linear", "mse").layout(2, (4,), 0).sizes == (2, 4, 1)


@pytest.mark.parametrize(
    ("n_classes", "output", "message"),
    [
        (0, "sigmoid", "output 'sigmoid' is for classes; this is a regression set"),
        (0, "softmax", "output 'softmax' is for classes; this is a regression set"),
        (2, "linear", "this data has 2 classes: use 'sigmoid'"),
        (3, "linear", "this data has 3 classes: use 'softmax'"),
    ],
)
def test_regression_data_takes_the_linear_output_and_only_it_does(
    n_classes: int, output: str, message: str
) -> None:
    with pytest.raises(HeadError, match=message):
        Head.for_classes(n_classes, output)  # type: ignore[arg-type]


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
def test_linear_with_a_class_loss_is_refused(loss: str) -> None:
    with pytest.raises(
        HeadError, match=f"output 'linear' is trained with loss 'mse', not '{loss}'"
    ):
        Head("linear", loss)  # type: ignore[arg-type]


def test_linear_mse_is_the_mean_squared_residual_and_its_gradient() -> None:
    head = Head("linear", "mse")
    z = np.array([[[0.5], [-1.0], [2.0]]])
    y = np.array([[1.0], [0.0], [2.5]])
    # ((0.5 - 1)^2 + (-1 - 0)^2 + (2 - 2.5)^2) / 3 = (0.25 + 1 + 0.25) / 3 = 0.5
    assert head.losses(z, y)[0] == pytest.approx(0.5, rel=1e-15)
    # d/dz_i = 2 (z_i - y_i) / 3
    np.testing.assert_allclose(head.delta(z, y), [[[-1 / 3], [-2 / 3], [-1 / 3]]], rtol=1e-15)
    # the output is the value itself, unsquashed
    assert head.probabilities(z).tolist() == z.tolist()


def test_r_squared_against_a_hand_value() -> None:
    # y = (1, 2, 3, 4): mean 2.5, var = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25;
    # predictions (1, 2, 3, 5): mse = 1 / 4, so R^2 = 1 - 0.25 / 1.25 = 0.8
    y = np.array([1.0, 2.0, 3.0, 4.0])
    mse = np.mean((np.array([1.0, 2.0, 3.0, 5.0]) - y) ** 2)
    assert r_squared(np.array([mse]), y).tolist() == pytest.approx([0.8], rel=1e-15)
    # the mean as prediction explains nothing; a perfect fit everything
    assert r_squared(np.array([1.25, 0.0]), y).tolist() == [0.0, 1.0]


def test_r_squared_of_constant_targets_stays_finite() -> None:
    y = np.full(5, 0.3)
    assert r_squared(np.array([0.0, 0.02]), y).tolist() == [1.0, 0.0]


def test_a_regression_network_is_solved_at_the_r2_target() -> None:
    head = Head("linear", "mse")
    y = np.array([[1.0], [2.0], [3.0], [4.0]])  # var 1.25: R^2 >= 0.95 means mse <= 0.0625
    close = y[None] + np.array([[[0.25], [-0.25], [0.0], [0.0]]])  # mse 0.03125: R^2 0.975
    far = y[None] + np.array([[[0.5], [-0.5], [0.0], [0.0]]])  # mse 0.125: R^2 0.9
    solved = head.solved(np.concatenate([close, far]), y, y[:, 0])
    assert solved.tolist() == [True, False]


def test_layout_puts_all_weights_before_all_biases() -> None:
    layout = Layout((2, 3, 1))
    assert layout.w_offsets == (0, 6) and layout.b_offsets == (9, 12)
    assert layout.n_weights == 9 and layout.n_params == 13 and layout.n_layers == 2
    layers = [(np.arange(6.0).reshape(2, 3), np.array([7.0, 8, 9])), (np.ones((3, 1)), np.zeros(1))]
    row = layout.pack(layers)
    assert row.tolist() == [0, 1, 2, 3, 4, 5, 1, 1, 1, 7, 8, 9, 0]
    for (w, b), (w2, b2) in zip(layers, layout.unpack(row), strict=True):
        np.testing.assert_array_equal(w, w2)
        np.testing.assert_array_equal(b, b2)


def test_views_write_through_to_the_parameter_matrix() -> None:
    layout = Layout((2, 2, 1))
    theta = np.zeros((3, layout.n_params))
    (w1, b1), _ = layout.views(theta)
    w1[1] += 1.0
    b1[2] += 2.0
    assert theta[1, :4].tolist() == [1, 1, 1, 1] and theta[2, 6:8].tolist() == [2, 2]


def test_init_theta_draws_app_init_layers_from_each_generator() -> None:
    layout = Layout((2, 4, 1))
    theta = init_theta(layout, "xavier", [np.random.default_rng(7)])
    rng = np.random.default_rng(7)
    limit = math.sqrt(6 / 6)
    np.testing.assert_array_equal(theta[0, :8], rng.uniform(-limit, limit, size=(2, 4)).ravel())
    assert (theta[0, layout.n_weights :] == 0).all()


def targets_for(head: Head, n: int, rng: np.random.Generator) -> np.ndarray:
    if head.output == "linear":  # a regression set's real targets
        return head.targets(rng.uniform(-1.2, 1.2, n), 0)
    k = 1 if head.output == "sigmoid" else 3
    labels = rng.integers(0, 2 if k == 1 else 3, n)
    return head.targets(labels, 3)


def objective(stack: Stack, x: np.ndarray, y: np.ndarray, kind: str, rate: float) -> float:
    """Sum over the networks of the batch-mean data loss plus rate * R."""
    z = stack.forward(x)[0][-1]
    reg = penalty(stack.theta, stack.layout, kind)  # type: ignore[arg-type]
    return float((stack.head.losses(z, y) + rate * reg).sum())


@pytest.mark.parametrize("head", HEADS, ids=head_id)
@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=lambda a: a.name)
def test_backprop_matches_central_differences(act: Activation, head: Head) -> None:
    rng = np.random.default_rng(0)
    n_out = 3 if head.output == "softmax" else 1
    layout = Layout((2, 3, 2, n_out))
    x = rng.normal(size=(5, 2))
    y = targets_for(head, 5, rng)
    for kind, rate in (("none", 0.0), ("l1", 0.05), ("l2", 0.3)):
        theta = rng.normal(0.0, 0.6, size=(2, layout.n_params))  # two networks at once
        theta[np.abs(theta) < 1e-3] = 0.1  # keep |W| off the l1 kink
        stack = Stack(layout, act, act.defaults, head, theta)
        zs, inputs = stack.forward(x)
        stack.backward(zs, inputs, head.delta(zs[-1], y))
        add_penalty_gradient(stack.grad, theta, layout, kind, rate)  # type: ignore[arg-type]
        h = 1e-6
        numeric = np.zeros_like(theta)
        for idx in np.ndindex(*theta.shape):
            saved = theta[idx]
            theta[idx] = saved + h
            up = objective(stack, x, y, kind, rate)
            theta[idx] = saved - h
            down = objective(stack, x, y, kind, rate)
            theta[idx] = saved
            numeric[idx] = (up - down) / (2 * h)
        # The difference quotient loses eps * |objective| / h to rounding: a linear output's
        # mse is unbounded (exponential's units reach the thousands), the others' are O(1).
        atol = 1e-7 * max(1.0, objective(stack, x, y, kind, rate))
        np.testing.assert_allclose(stack.grad, numeric, rtol=1e-5, atol=atol, err_msg=kind)


def test_losses_at_known_points() -> None:
    z = np.zeros((1, 2, 1))
    y = np.array([[0.0], [1.0]])
    assert Head("sigmoid", "bce").losses(z, y)[0] == pytest.approx(math.log(2), rel=1e-15)
    assert Head("sigmoid", "mse").losses(z, y)[0] == pytest.approx(0.25, rel=1e-15)
    ce = Head("softmax", "cross_entropy")
    assert ce.losses(np.zeros((1, 2, 4)), np.eye(4)[[0, 3]])[0] == pytest.approx(math.log(4))


def test_bce_is_exact_from_the_logit_far_in_the_tails() -> None:
    head = Head("sigmoid", "bce")
    z = np.array([[[-800.0], [800.0], [40.0]]])
    y = np.array([[1.0], [0.0], [1.0]])
    # log(1 + e^800) = 800, and -log(sigmoid(40)) = log1p(e^-40) ~ 4.25e-18
    assert head.losses(z, y)[0] == pytest.approx((800 + 800 + math.exp(-40)) / 3, rel=1e-15)


def test_predicted_class_needs_a_logit_beyond_rounding_noise() -> None:
    head = Head("sigmoid", "bce")
    logits = np.array([[[-1.0], [0.0], [1e-300], [1e-7], [2e-6], [0.5]]])
    assert head.predicted(logits).tolist() == [[0, 0, 0, 0, 1, 1]]
    softmax = Head("softmax", "cross_entropy")
    assert softmax.predicted(np.array([[[1, 3, 2.0], [1, 2, 2 + 1e-9]]])).tolist() == [[1, -1]]


def test_optimizers_follow_their_formulas() -> None:
    g1, g2 = np.array([[0.5, -2.0]]), np.array([[1.0, 1.0]])
    for name in ("sgd", "momentum", "adam"):
        theta = np.array([[1.0, 1.0]])
        opt = Optimizer(name, 0.1, theta.shape)
        opt.step(theta, g1.copy())
        opt.step(theta, g2.copy())
        if name == "sgd":
            expected = 1 - 0.1 * g1 - 0.1 * g2
        elif name == "momentum":
            expected = 1 - 0.1 * g1 - 0.1 * (0.9 * g1 + g2)
        else:
            m1, v1 = 0.1 * g1, 0.001 * g1**2
            after1 = 1 - 0.1 * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + 1e-8)
            m2, v2 = 0.9 * m1 + 0.1 * g2, 0.999 * v1 + 0.001 * g2**2
            c1, c2 = 1 - 0.9**2, 1 - 0.999**2
            expected = after1 - 0.1 * (m2 / c1) / (np.sqrt(v2 / c2) + 1e-8)
        np.testing.assert_allclose(theta, expected, rtol=1e-14, err_msg=name)


def test_regularisation_spares_the_biases() -> None:
    layout = Layout((1, 1, 1))
    theta = np.array([[2.0, -3.0, 5.0, 7.0]])
    grad = np.zeros_like(theta)
    add_penalty_gradient(grad, theta, layout, "l2", 0.5)
    assert grad.tolist() == [[1.0, -1.5, 0.0, 0.0]]
    grad[:] = 0
    add_penalty_gradient(grad, theta, layout, "l1", 0.5)
    assert grad.tolist() == [[0.5, -0.5, 0.0, 0.0]]
    assert penalty(theta, layout, "l2").tolist() == [6.5]
    assert penalty(theta, layout, "l1").tolist() == [5.0]


def test_collapse_gives_the_affine_map_of_linear_layers() -> None:
    rng = np.random.default_rng(1)
    layers = [
        (rng.normal(size=(2, 3)), rng.normal(size=3)),
        (rng.normal(size=(3, 1)), rng.normal(size=1)),
    ]
    w, b = collapse(layers)
    x = rng.normal(size=(6, 2))
    np.testing.assert_allclose(
        x @ w + b, (x @ layers[0][0] + layers[0][1]) @ layers[1][0] + layers[1][1]
    )


@pytest.mark.parametrize("head", HEADS, ids=head_id)
@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=lambda a: a.name)
def test_a_stack_of_one_computes_its_network_bit_for_bit_as_a_stack_of_many(
    act: Activation, head: Head
) -> None:
    rng = np.random.default_rng(1)
    n_out = 3 if head.output == "softmax" else 1
    layout = Layout((2, 9, 5, n_out))
    n = 37  # more than 8 points: numpy's pairwise summation, not a plain loop, sums the biases
    x = rng.normal(size=(n, 2))
    y = targets_for(head, n, rng)
    theta = rng.normal(0.0, 0.5, size=(3, layout.n_params))
    many = Stack(layout, act, act.defaults, head, theta.copy())
    one = Stack(layout, act, act.defaults, head, theta[1:2].copy())
    own_x = rng.normal(size=(3, n, 2))  # a mini-batch: each network its own rows
    for x_many, x_one in ((x, x), (own_x, own_x[1:2])):
        zs_many, inputs_many = many.forward(x_many)
        zs_one, inputs_one = one.forward(x_one)
        for got, want in zip(zs_one + inputs_one[1:], zs_many + inputs_many[1:], strict=True):
            assert got.shape == (1, *want.shape[1:])
            assert got.tobytes() == want[1:2].tobytes()
        many.backward(zs_many, inputs_many, head.delta(zs_many[-1], y))
        one.backward(zs_one, inputs_one, head.delta(zs_one[-1], y))
        assert np.abs(one.grad).sum() > 0.0
        assert one.grad.tobytes() == many.grad[1:2].tobytes()


@pytest.mark.parametrize("head", [HEADS[0], HEADS[2]], ids=lambda h: h.output)
def test_right_is_predicted_equal_to_the_labels(head: Head) -> None:
    rng = np.random.default_rng(2)
    k = 1 if head.output == "sigmoid" else 3
    # logits on, just inside and just beyond the margin, and far from it
    z = rng.choice([0.0, 5e-7, 2e-6, -2e-6, 1.0, -3.0], size=(4, 50, k))
    labels = rng.integers(0, 2 if k == 1 else 3, 50)
    right = head.right(z, labels)
    assert right.dtype == np.bool_ and 0 < right.sum() < right.size
    np.testing.assert_array_equal(right, head.predicted(z) == labels)


@pytest.mark.parametrize("shape", [(n, u) for n in range(1, 11) for u in (1, 3)], ids=str)
def test_sum_over_points_is_add_reduces_sum_to_the_bit(shape: tuple[int, int]) -> None:
    """The chained adds for few points are the order numpy's own reduction takes, for one
    network (n, u) and for a stack (S, n, u): one network's numbers do not move."""
    rng = np.random.default_rng(sum(shape))
    for stack in ((), (5,)):
        for _ in range(200):
            d = rng.standard_normal((*stack, *shape)) * 10.0 ** rng.integers(
                -9, 9, (*stack, *shape)
            )
            out = np.empty((*stack, shape[1]))
            sum_over_points(d, out)
            assert out.tobytes() == np.add.reduce(d, axis=-2).tobytes()
            if stack and shape[0] <= CHAINED_SUM_POINTS:  # the chain, equal to add.reduce
                chain = d[:, 0].copy()
                for i in range(1, shape[0]):
                    chain += d[:, i]
                assert chain.tobytes() == out.tobytes()
