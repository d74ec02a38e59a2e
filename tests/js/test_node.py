"""The front end's pure modules under Node's own test runner (`node --test tests/js/`).

URL state codec, Train run codec, CSV parsing, figure builders and tick helpers run here without
a browser in well under a second; a failing Node test fails this one with Node's report.
Debian's `nodejs` package is the only requirement (scripts/test.sh installs it when missing).
"""

import shutil
import subprocess
from pathlib import Path

JS_TESTS = Path(__file__).resolve().parent
ROOT = JS_TESTS.parent.parent


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    assert found, "Node.js is missing: apt-get install nodejs (scripts/test.sh does)"
    return found


def run_node_tests(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node(), "--test", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_node_unit_tests_pass() -> None:
    done = run_node_tests(JS_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
    passed = int(done.stdout.split("# pass ")[1].split()[0])
    assert passed >= 30, done.stdout  # every file ran: state, train, points, plots, ui


def test_a_failing_node_test_fails_the_run(tmp_path: Path) -> None:
    # Outside tests/js, so a parallel run of the suite never picks it up.
    (tmp_path / "package.json").write_text('{"type": "module"}')
    ui = (ROOT / "static" / "js" / "ui.js").as_uri()
    probe = tmp_path / "probe.test.js"
    probe.write_text(
        'import assert from "node:assert/strict";\n'
        'import { test } from "node:test";\n'
        f'import {{ fmt }} from "{ui}";\n'
        'test("a wrong expectation", () => assert.equal(fmt(0.5), "0.4"));\n'
        'test("a right one", () => assert.equal(fmt(0.5), "0.5"));\n'
    )
    done = run_node_tests(probe)
    assert done.returncode != 0
    assert "# pass 1" in done.stdout and "# fail 1" in done.stdout, done.stdout
