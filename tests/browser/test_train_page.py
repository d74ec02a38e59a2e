"""Train in a real browser: a run animates, its link and its exported file reproduce it."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import (
    assert_clean,
    open_page,
    problems_of,
    query,
    redrawn,
    traces,
    wait_ready,
)

pytestmark = pytest.mark.browser

FAST = "/train?act=relu&opt=adam&lr=0.05&epochs=300&seed=3"


def final_surface(page: Page) -> object:
    return page.evaluate(
        "() => document.getElementById('boundary-chart').data.find(t => t.type === 'heatmap').z"
    )


def test_train_page_trains_xor_and_draws_boundary_curves_and_network(page: Page) -> None:
    open_page(page, "/train", "boundary-chart", "loss-chart", "accuracy-chart")
    names = [t["name"] for t in traces(page, "boundary-chart")]
    assert names == ["p(class 1)", "p = 0.5", "train class 0", "train class 1"]
    expect(page.locator("#outcome")).to_contain_text("Solved")
    assert page.locator("#network .unit").count() == 2 + 4 + 1
    assert page.locator("#network image").count() == 4  # one thumbnail per hidden unit
    loss = traces(page, "loss-chart")[0]["y"]
    assert isinstance(loss, list) and len(loss) == 1000 and loss[-1] < loss[0]
    assert_clean(page)


def test_a_run_animates_and_its_link_restores_the_same_run(page: Page, context: object) -> None:
    open_page(page, FAST, "boundary-chart")
    page.get_by_role("button", name="Train", exact=True).click()
    labels = set()
    for _ in range(40):
        labels.add(page.locator("#frame-label").inner_text())
        if page.get_by_role("button", name="Play").is_visible() and len(labels) > 3:
            break
        page.wait_for_timeout(100)
    assert len(labels) > 3, labels  # the epoch label moved through snapshots
    page.wait_for_function("() => document.getElementById('play').textContent === '▶'")
    assert page.locator("#frame").input_value() == page.locator("#frame").get_attribute("max")
    surface = final_surface(page)
    outcome = page.locator("#outcome").inner_text()
    link = page.url
    other = page.context.new_page()
    other.goto(link)
    wait_ready(other, "boundary-chart")
    expect(other.locator("#outcome")).to_have_text(outcome)
    assert final_surface(other) == surface
    other.close()
    assert_clean(page)


def test_changing_a_control_makes_a_new_history_entry(page: Page) -> None:
    open_page(page, FAST, "boundary-chart")
    redrawn(page, "boundary-chart")
    page.get_by_role("button", name="Add a hidden layer").click()
    expect(page.locator("#network .unit")).to_have_count(2 + 4 + 4 + 1)
    assert query(page)["layers"] == ["4,4"]
    page.go_back()
    expect(page.locator("#network .unit")).to_have_count(2 + 4 + 1)
    assert "layers" not in query(page)
    assert_clean(page)


def test_a_run_exports_to_json_and_loads_back(page: Page, tmp_path: Path) -> None:
    open_page(page, FAST, "boundary-chart")
    surface = final_surface(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export run (JSON)").click()
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["format"] == "activation-lab/train-run"
    assert saved["request"]["activation"] == "relu" and saved["request"]["seed"] == 3
    assert len(saved["result"]["weights"]) == 2
    fresh = page.context.new_page()
    fresh.goto("/train?act=sigmoid&epochs=50")
    wait_ready(fresh, "boundary-chart")
    redrawn(fresh, "boundary-chart")
    path = tmp_path / "run.json"
    path.write_text(json.dumps(saved))
    fresh.set_input_files("#load-run", str(path))
    wait_ready(fresh, "boundary-chart")
    assert final_surface(fresh) == surface
    assert query(fresh)["act"] == ["relu"] and query(fresh)["seed"] == ["3"]
    fresh.close()
    assert_clean(page)


def test_clicking_the_plane_adds_a_point_of_the_chosen_class(page: Page) -> None:
    open_page(page, FAST, "boundary-chart")
    redrawn(page, "boundary-chart")
    page.get_by_label("class 0 (✕)").check()
    page.locator("#boundary-chart .nsewdrag").click(position={"x": 40, "y": 40})
    wait_ready(page, "boundary-chart")
    assert query(page)["ds"] == ["points"]
    points = query(page)["pts"][0].split(",")
    assert len(points) == 5 and points[-1].endswith("_0")
    class0 = next(t for t in traces(page, "boundary-chart") if t["name"] == "train class 0")
    assert len(class0["x"]) == 3  # type: ignore[arg-type]
    assert_clean(page)


def test_a_csv_upload_becomes_the_training_data(page: Page, tmp_path: Path) -> None:
    open_page(page, FAST, "boundary-chart")
    redrawn(page, "boundary-chart")
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n0,0,0\n1,1,0\n0,1,1\n1,0,1\n0.5,0.5,0\n")
    page.set_input_files("#csv-file", str(csv))
    wait_ready(page, "boundary-chart")
    assert query(page)["pts"] == ["0_0_0,1_1_0,0_1_1,1_0_1,0.5_0.5_0"]
    bad = tmp_path / "bad.csv"
    bad.write_text("0,0,0\n1,one,1\n")
    page.set_input_files("#csv-file", str(bad))
    expect(page.locator("#csv-file-error")).to_contain_text("line 2")
    assert_clean(page)


def test_divergence_is_explained_in_words(page: Page) -> None:
    open_page(page, "/train?act=identity&layers=8,8,8&lr=10&epochs=300", "boundary-chart")
    expect(page.locator("#outcome")).to_contain_text("diverged at epoch 6")
    loss = traces(page, "loss-chart")[0]["y"]
    assert isinstance(loss, list) and all(isinstance(v, float | int) for v in loss)
    assert_clean(page)


def test_a_long_run_shows_progress_and_can_be_cancelled(page: Page) -> None:
    open_page(page, FAST, "boundary-chart")
    long_run = "/train?ds=spiral&n=2000&layers=16,16&epochs=5000"
    page.goto(long_run)
    expect(page.locator("#train-progress")).to_be_visible()
    page.wait_for_function("() => document.getElementById('train-progress-bar').value > 0")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#run-error")).to_contain_text("cancelled")
    expect(page.locator("#train-progress")).to_be_hidden()
    problems = problems_of(page)
    origin = page.url.split("/train")[0]
    assert problems.failed == [] and problems.aborted == [f"POST {origin}/api/train/stream"]
    assert problems.exceptions == [] and problems.console == []


def test_linear_vs_nonlinear_puts_the_argument_in_one_picture(page: Page) -> None:
    open_page(page, "/train?xor=1", "xor-identity", "xor-relu", "xor-tanh")
    summary = page.locator("#xor-summary")
    expect(summary).to_contain_text("identity: final loss 0.6931")
    expect(summary).to_contain_text("relu: final loss")
    expect(page.locator("#xor-linear-table tbody tr")).to_have_count(4)
    expect(page.locator("#xor-linear-table tbody")).to_contain_text("0.5")
    outputs = page.locator("#xor-solution-table tbody tr td:last-child").all_inner_texts()
    assert outputs == ["0", "1", "1", "0"]
    assert_clean(page)
