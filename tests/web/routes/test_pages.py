"""The HTML pages: templates, the ids their scripts need, the data they hand over, local URLs."""

import json
import re
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from app.config import STATIC_DIR
from app.lab.activations import ACTIVATIONS
from app.lab.activations.base import SATURATION_SLOPE
from app.lab.datasets import DATASET_NAMES, FEATURES, MAX_CLASSES, MAX_POINTS, N_CLASSES
from app.lab.expressions import CUSTOM_NAME, EXAMPLES, MAX_LENGTH, MAX_PARAMS
from app.lab.nn.gradient_flow import MAX_BATCH_SIZE, MAX_DEPTH, MAX_WIDTH
from app.lab.nn.initializers import InitName
from app.lab.nn.mlp import OptimizerName, RegularizationName
from app.web.routes.pages import GRADIENT_DEFAULTS, SWEEP_DEFAULTS
from app.web.routes.pages import PAGES as PAGE_DECLARATIONS
from app.web.schemas.activations import CurveQuery, PropertiesInfo
from app.web.schemas.training import SweepRequest, TrainRequest
from app.web.schemas.training_results import GRID_DECIMALS

PAGES = {
    "/": (
        "explore.html",
        ["fn", "params", "xmin", "xmax", "show-d2f", "curve-chart", "card", "custom-editor"]
        + ["expression-editor"],
    ),
    "/compare": (
        "compare.html",
        ["functions", "add-fn", "compare-chart", "multiples-chart", "expression-editor"],
    ),
    "/train": (
        "train.html",
        [
            "dataset",
            "activation",
            "layers",
            "run",
            "train-progress",
            "boundary-chart",
            "play",
            "frame",
            "loss-chart",
            "accuracy-chart",
            "network",
            "export-run",
            "load-run",
        ],
    ),
    "/sweep": ("sweep.html", ["activations", "seeds", "success-chart", "converge-chart"]),
    "/gradients": ("gradients.html", ["activations", "depth", "gradflow-chart", "stats-chart"]),
    "/softmax": ("softmax.html", ["logits", "temperature", "softmax-chart", "jacobian-chart"]),
}


def initial_state(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="initial-state">(.*?)</script>', html, re.S
    )
    assert match, "no initial-state script"
    state: dict[str, Any] = json.loads(match.group(1))
    return state


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_its_template_with_the_ids_its_script_needs(
    client: TestClient, path: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    template, ids = PAGES[path]
    assert r.template.name == template  # type: ignore[attr-defined]
    for element_id in ids:
        assert f'id="{element_id}"' in r.text, element_id
    assert r.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path", PAGES)
def test_every_link_and_source_stays_on_this_server(client: TestClient, path: str) -> None:
    html = client.get(path).text
    targets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert targets
    for target in targets:
        assert target.startswith(("/", "#")) and not target.startswith("//"), target
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("path", PAGES)
def test_navigation_marks_the_current_page(client: TestClient, path: str) -> None:
    html = client.get(path).text
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
    assert current == [path]
    assert html.count("<li><a href=") == len(PAGES)


def test_registry_api_listing_and_explore_options_agree(client: TestClient) -> None:
    html = client.get("/").text
    options = re.findall(
        r'<option value="([a-z0-9_]+)"', html.split('id="fn"')[1].split("</select>")[0]
    )
    listed = [a["name"] for a in client.get("/api/activations").json()["activations"]]
    # the catalogue, then your own (the reserved name, never a catalogue entry)
    assert options == [*listed, CUSTOM_NAME] and listed == list(ACTIVATIONS)
    assert len(listed) == 46


@pytest.mark.parametrize("path", ["/", "/compare"])
def test_the_editor_gets_its_examples_and_limits_from_the_domain(
    client: TestClient, path: str
) -> None:
    html = client.get(path).text
    facts = initial_state(html)["expressions"]
    assert facts["name"] == CUSTOM_NAME
    assert facts["examples"] == [
        {
            "name": e.name,
            "label": e.label,
            "expression": e.expression,
            "params": list(map(list, e.params)),
        }
        for e in EXAMPLES
    ]
    assert [e["expression"] for e in facts["examples"]] == [
        "x * sigmoid(beta * x)",
        "x * tanh(softplus(x))",
        "sin(x)",
        "exp(-x**2)",
        "min(max(0, x), cap)",
    ]
    assert (facts["max_length"], facts["max_params"]) == (MAX_LENGTH, MAX_PARAMS)
    assert facts["properties"] == initial_state(client.get("/compare").text)["properties"]
    template = html.split('<template id="expression-editor">')[1].split("</template>")[0]
    for e in EXAMPLES:
        assert f'id="expr-example-{e.name}"' in template and f">{e.label}</button>" in template
    assert 'aria-describedby="expr-error expr-hint"' in template


def test_readme_shows_the_examples_the_page_offers() -> None:
    readme = (STATIC_DIR.parent / "README.md").read_text()
    for e in EXAMPLES:
        params = ", ".join(f"{name} = {value:g}" for name, value in e.params) or "—"
        assert f"| {e.label} | `{e.expression}` | {params} |" in readme


def test_explore_with_your_own_renders_no_catalogue_card(client: TestClient) -> None:
    html = client.get("/?fn=custom&expr=x.__class__").text
    assert f'<option value="{CUSTOM_NAME}" selected>' in html
    assert 'class="card-body"' not in html  # the editor fills the card once the server agrees
    assert "__class__" not in html  # the link's formula reaches only the script, via the URL


def test_initial_state_hands_the_catalogue_as_the_api_lists_it(client: TestClient) -> None:
    state = initial_state(client.get("/").text)
    listed = client.get("/api/activations").json()["activations"]
    expected = [{k: v for k, v in a.items() if k not in ("formula", "derivative")} for a in listed]
    assert state["catalogue"] == expected
    assert state["default_function"] == "gelu"


def test_explore_renders_the_card_of_the_function_in_the_url(client: TestClient) -> None:
    html = client.get("/?fn=elu&alpha=2").text
    assert '<option value="elu" selected>' in html
    assert '<div class="card-body" data-name="elu">' in html
    assert "<dt>Continuity</dt><dd>C0</dd>" in html  # ELU is C1 only at alpha = 1
    assert html.count("<math ") == 2


def test_explore_falls_back_to_the_default_for_an_unknown_function(client: TestClient) -> None:
    r = client.get("/?fn=no_such_thing")
    assert r.status_code == 200
    assert 'data-name="gelu"' in r.text


def test_card_fragment_follows_the_parameters(client: TestClient) -> None:
    default = client.get("/explore/card/elu")
    changed = client.get("/explore/card/elu", params={"alpha": "0.5"})
    assert default.status_code == changed.status_code == 200
    assert "<dt>Continuity</dt><dd>C1</dd>" in default.text
    assert "<dt>Continuity</dt><dd>C0</dd>" in changed.text
    assert "<html" not in changed.text  # a fragment, not a page


@pytest.mark.parametrize(
    ("name", "query", "shown"),
    [
        ("sigmoid", {}, "(0, 1)"),
        ("elu", {}, "(−1, ∞)"),
        ("relu", {}, "[0, ∞)"),
        ("tanh", {}, "(−1, 1)"),
        ("hardtanh", {}, "[−1, 1]"),
        ("hardtanh", {"min_val": "-2.5", "max_val": "3"}, "[−2.5, 3]"),
        ("logsigmoid", {}, "(−∞, 0)"),
        ("identity", {}, "(−∞, ∞)"),
    ],
)
def test_card_brackets_a_range_end_only_where_it_is_reached(
    client: TestClient, name: str, query: dict[str, str], shown: str
) -> None:
    r = client.get(f"/explore/card/{name}", params=query)
    assert r.status_code == 200, r.text
    assert f"<dt>Range</dt><dd>{shown}</dd>" in r.text


def test_card_fragment_errors_use_the_api_error_shape(client: TestClient) -> None:
    r = client.get("/explore/card/elu", params={"alpha": "-1"})
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {"loc": ["query", "alpha"], "msg": "must be in (0, 5], got -1", "type": "value_error"}
        ]
    }
    missing = client.get("/explore/card/nope")
    assert missing.status_code == 404
    assert missing.json()["detail"][0]["loc"] == ["path", "name"]


def values(rule: dict[str, Any]) -> list[str]:
    return [value for value, _ in rule["choices"]]


def test_training_pages_offer_the_domain_choices(client: TestClient) -> None:
    state = initial_state(client.get("/train").text)
    fields = state["fields"]
    assert values(fields["dataset"]) == [*DATASET_NAMES, "points"]  # the domain's, then yours
    # regression sets: no classes, and the head the domain gives them
    assert state["n_classes"]["reg-gauss"] == 0
    assert state["regression"] == {"output": "linear", "loss": "mse", "r2_target": 0.95}
    # the view controls a lesson link can hide besides the fields
    assert sorted(state["views"]) == [
        "discretize",
        "frame",
        "hidden_space",
        "live",
        "show_test",
        "xor",
    ]
    # the live panel's boxes and the edit box: the live commands' bounds
    assert {k: (r["min"], r["max"], r["default"]) for k, r in state["live"].items()} == {
        "step": (1, 10_000, 1),
        "speed": (1, 1_000, 1),
        "value": (-1000.0, 1000.0, None),
    }
    assert list(initial_state(client.get("/sweep").text)["views"]) == ["bands"]
    assert [f for f, _ in state["features"]] == [
        "x1",
        "x2",
        "x1_squared",
        "x2_squared",
        "x1_x2",
        "sin_x1",
        "sin_x2",
    ]
    assert values(fields["optimizer"]) == ["sgd", "momentum", "adam"]
    assert values(fields["init"]) == ["xavier", "he", "lecun", "uniform"]
    assert values(fields["loss"]) == ["bce", "mse"]
    assert values(fields["regularization"]) == ["none", "l1", "l2"]
    assert values(fields["activation"]) == [*ACTIVATIONS, CUSTOM_NAME]  # then your own


@pytest.mark.parametrize("path", ["/train", "/sweep", "/gradients"])
def test_every_page_that_picks_an_activation_has_the_editor(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert initial_state(html)["expressions"]["name"] == CUSTOM_NAME
    assert '<template id="expression-editor">' in html


def test_train_choices_are_the_domains_and_start_at_the_request_models_defaults(
    client: TestClient,
) -> None:
    state = initial_state(client.get("/train").text)
    fields = state["fields"]
    assert values(fields["dataset"]) == [*DATASET_NAMES, state["own_points"]]
    assert values(fields["optimizer"]) == list(get_args(OptimizerName))
    assert values(fields["init"]) == list(get_args(InitName))
    assert values(fields["regularization"]) == list(get_args(RegularizationName))
    assert [f for f, _ in state["features"]] == list(FEATURES)
    for control in ("dataset", "activation", "optimizer", "init", "regularization"):
        assert fields[control]["default"] == TrainRequest.model_fields[control].default, control
    # The model's null loss is the head's default for two classes, the first choice.
    assert TrainRequest.model_fields["loss"].default is None
    assert fields["loss"]["default"] == "bce"
    assert state["n_classes"] == N_CLASSES and state["max_classes"] == MAX_CLASSES
    assert state["fixed_datasets"] == ["xor"]
    assert state["saturated"] == SATURATION_SLOPE == 0.01
    assert state["grid_step"] == 10.0**-GRID_DECIMALS == 0.01


def test_each_select_is_rendered_from_its_rule(client: TestClient) -> None:
    for path in ("/train", "/sweep"):
        html = client.get(path).text
        for control, rule in initial_state(html)["fields"].items():
            if "choices" not in rule:
                continue
            select = html.split(f'<select id="{control}"')[1].split("</select>")[0]
            assert re.findall(r'<option value="([^"]+)"', select) == values(rule), control
            assert f'<option value="{rule["default"]}" selected>' in select, control


def test_gradient_page_limits_match_the_api(client: TestClient) -> None:
    state = initial_state(client.get("/gradients").text)
    assert "limits" not in state  # the rules in `fields` carry them
    fields = state["fields"]
    assert (
        (fields["depth"]["max"], fields["width"]["max"], fields["batch_size"]["max"])
        == (
            MAX_DEPTH,
            MAX_WIDTH,
            MAX_BATCH_SIZE,
        )
        == (64, 256, 1024)
    )
    too_deep = client.post("/api/gradient-flow", json={"activation": "relu", "depth": 65})
    assert too_deep.status_code == 422
    assert values({"choices": state["inits"]}) == list(get_args(InitName))
    assert [s for s, _ in state["stats"]][0] == "std"


def test_initial_state_cannot_break_out_of_its_script_tag(client: TestClient) -> None:
    html = client.get("/").text
    body = html.split('id="initial-state">')[1].split("</script>")[0]
    assert "<" not in body  # tojson escapes <, > and & as \\u003c ...


def test_training_limits_are_the_servers(client: TestClient) -> None:
    state = initial_state(client.get("/sweep").text)
    assert "limits" not in state  # the rules in `fields` carry them
    fields = state["fields"]
    epochs = client.app.state.settings.train_max_epochs  # type: ignore[attr-defined]
    assert fields["epochs"]["max"] == epochs
    assert (
        fields["seeds"]["max"]
        == SweepRequest.model_json_schema()["properties"]["seeds"]["maximum"]
        == 200
    )
    body = {"activations": ["relu"], "epochs": 1}
    assert client.post("/api/train/sweep", json={**body, "seeds": 200}).status_code == 200
    assert client.post("/api/train/sweep", json={**body, "seeds": 201}).status_code == 422
    points = initial_state(client.get("/train").text)["fields"]["points"]
    assert (points["min_items"], points["max_items"]) == (2, MAX_POINTS) == (2, 2000)


def test_sweep_offers_the_named_data_sets_and_starts_where_the_page_starts(
    client: TestClient,
) -> None:
    state = initial_state(client.get("/sweep").text)
    fields = state["fields"]
    assert values(fields["dataset"]) == list(DATASET_NAMES)  # own points are Train's
    assert fields["dataset"]["default"] == SweepRequest.model_fields["dataset"].default
    assert fields["optimizer"]["default"] == SWEEP_DEFAULTS["optimizer"] == "adam"
    assert fields["init"]["default"] == SweepRequest.model_fields["init"].default
    assert state["default_activations"] == SWEEP_DEFAULTS["activations"]


@pytest.mark.parametrize("path", ["/", "/compare"])
def test_curve_pages_ask_for_the_curve_querys_default_points(client: TestClient, path: str) -> None:
    state = initial_state(client.get(path).text)
    assert state["curve_points"] == CurveQuery.model_fields["points"].default == 601
    assert state["vanishing"] == SATURATION_SLOPE
    html = client.get(path).text
    if path == "/":
        assert f"Shaded: where |f′(x)| &lt; {SATURATION_SLOPE}," in html


def test_compare_table_and_explore_card_show_the_same_properties(client: TestClient) -> None:
    rows = initial_state(client.get("/compare").text)["properties"]
    # every property the API reports, range_attained shown as the range's brackets
    assert {key for key, _ in rows} == set(PropertiesInfo.model_fields) - {"range_attained"}
    card = client.get("/explore/card/relu").text
    assert re.findall(r"<dt>([^<]+)</dt>", card) == [label for _, label in rows]
    assert "<dt>Range</dt><dd>[0, ∞)</dd>" in card
    assert '<dt>Monotonic</dt><dd><span class="yes">yes</span></dd>' in card


@pytest.mark.parametrize("path", PAGES)
def test_each_page_runs_the_entry_module_its_page_declares(client: TestClient, path: str) -> None:
    html = client.get(path).text
    [entry] = re.findall(r'<script type="module" async src="/static/js/([^"?]+)\?v=', html)
    route = next(
        name for name, page in PAGE_DECLARATIONS.items() if page.template == PAGES[path][0]
    )
    assert entry == PAGE_DECLARATIONS[route].modules[0] == f"pages/{entry.split('/')[-1]}"
    assert (STATIC_DIR / "js" / entry).is_file()


def test_the_footer_links_the_api_docs(client: TestClient) -> None:
    html = client.get("/softmax").text
    assert '<a href="/docs">API docs</a>' in html
    assert client.get("/docs").status_code == 200


def test_train_rules_are_the_request_models_bounds_in_the_controls_units(
    client: TestClient,
) -> None:
    fields = initial_state(client.get("/train").text)["fields"]
    assert fields["noise"] == {
        "label": "Noise",
        "unit": "%",
        "scale": 100,
        "integer": False,
        "min": 0,
        "max": 50,  # the API's noise <= 0.5, as the box's percent
        "min_exclusive": False,
        "max_exclusive": False,
        "optional": False,
        "default": 0,
    }
    assert (fields["train_fraction"]["min"], fields["train_fraction"]["max"]) == (10, 90)
    assert fields["train_fraction"]["default"] == 50
    assert (fields["n_samples"]["min"], fields["n_samples"]["max"]) == (10, 2000)
    assert fields["n_samples"]["default"] == 500 and fields["n_samples"]["integer"] is True
    epochs = client.app.state.settings.train_max_epochs  # type: ignore[attr-defined]
    assert (fields["epochs"]["min"], fields["epochs"]["max"]) == (1, epochs)
    assert fields["epochs"]["default"] == 2000
    rate = fields["learning_rate"]
    assert (rate["min"], rate["min_exclusive"], rate["max"], rate["default"]) == (0, True, 10, 0.1)
    assert fields["batch_size"]["optional"] is True and fields["batch_size"]["min"] == 1
    assert fields["features"]["min_items"] == 1 and fields["features"]["default"] == ["x1", "x2"]
    layers = fields["hidden_layers"]
    assert (layers["min"], layers["max"], layers["max_items"], layers["default"]) == (1, 64, 8, [4])
    assert fields["seed"]["max"] == fields["data_seed"]["max"] == 2**32 - 1


@pytest.mark.parametrize(("noise", "status"), [(0.5, 200), (0.51, 422)])
def test_the_noise_rule_is_where_the_api_draws_the_line(
    client: TestClient, noise: float, status: int
) -> None:
    fields = initial_state(client.get("/train").text)["fields"]
    assert fields["noise"]["max"] / fields["noise"]["scale"] == 0.5
    body = {"dataset": {"name": "circle", "n_samples": 10, "noise": noise}, "epochs": 1}
    assert client.post("/api/train", json=body).status_code == status


def test_sweep_and_gradient_rules_start_where_the_pages_start(client: TestClient) -> None:
    sweep = initial_state(client.get("/sweep").text)["fields"]
    assert (sweep["seeds"]["min"], sweep["seeds"]["max"], sweep["seeds"]["default"]) == (1, 200, 20)
    assert sweep["epochs"]["default"] == 300 and sweep["hidden_layers"]["default"] == [2]
    state = initial_state(client.get("/gradients").text)
    depth = state["fields"]["depth"]
    assert (depth["min"], depth["max"], depth["default"]) == (1, 64, GRADIENT_DEFAULTS["depth"])
    assert state["fields"]["width"]["max"] == 256 and state["fields"]["batch_size"]["max"] == 1024


@pytest.mark.parametrize("path", ["/", "/compare"])
def test_the_x_range_rules_are_the_curve_querys(client: TestClient, path: str) -> None:
    fields = initial_state(client.get(path).text)["fields"]
    assert {k: (f["label"], f["min"], f["max"], f["default"]) for k, f in fields.items()} == {
        "xmin": ("From", -1000, 1000, -6),
        "xmax": ("To", -1000, 1000, 6),
    }


def test_the_temperature_rule_is_the_softmax_requests(client: TestClient) -> None:
    state = initial_state(client.get("/softmax").text)
    temperature = state["fields"]["temperature"]
    assert (temperature["min"], temperature["default"]) == (1e-6, state["default_temperature"])
    assert state["fields"]["logits"]["min_items"] == 2
    at = client.post("/api/softmax", json={"logits": [0.0, 1.0], "temperature": 1e-6})
    below = client.post("/api/softmax", json={"logits": [0.0, 1.0], "temperature": 0.5e-6})
    assert (at.status_code, below.status_code) == (200, 422)


def test_explore_card_reads_only_the_functions_own_keys(client: TestClient) -> None:
    html = client.get("/?fn=elu&alpha=2&utm_source=newsletter&fbclid=x").text
    assert '<div class="card-body" data-name="elu">' in html
    assert "<dt>Continuity</dt><dd>C0</dd>" in html  # alpha = 2 applied, the rest ignored
    repeated = client.get("/?fn=elu&alpha=2&alpha=1").text  # the first, as the script reads it
    assert "<dt>Continuity</dt><dd>C0</dd>" in repeated


def test_explore_card_keeps_the_function_when_a_parameter_is_bad(client: TestClient) -> None:
    html = client.get("/?fn=elu&alpha=-1").text
    assert '<option value="elu" selected>' in html
    assert '<div class="card-body" data-name="elu">' in html  # at its defaults: C1
    assert "<dt>Continuity</dt><dd>C1</dd>" in html


@pytest.mark.parametrize("path", ["/", "/compare", "/train", "/sweep", "/gradients"])
def test_number_boxes_are_rendered_from_their_rules(client: TestClient, path: str) -> None:
    html = client.get(path).text
    fields = initial_state(html)["fields"]
    boxes = 0
    for control, rule in fields.items():
        if rule.get("min_items") is not None or "choices" in rule:
            continue  # a list or a select, not one box
        tag = re.search(rf'<input type="number" id="{control}"[^>]*>', html)
        assert tag, control
        default = "" if rule["default"] is None else str(rule["default"])
        assert f'value="{default}"' in tag.group(0), tag.group(0)
        for bound in ("min", "max"):
            if rule[bound] is not None:
                assert f'{bound}="{rule[bound]}"' in tag.group(0), tag.group(0)
        assert f'step="{1 if rule["integer"] else "any"}"' in tag.group(0)
        boxes += 1
    assert boxes == {"/": 2, "/compare": 2, "/train": 9, "/sweep": 3, "/gradients": 4}[path]
