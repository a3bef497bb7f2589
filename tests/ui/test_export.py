"""`e` writes the run shown as a trace, a Chrome trace and a summary; ctrl+s saves the screen."""

import json

from factory_tui.engine import Config
from factory_tui.trace import load_trace
from factory_tui.ui.app import FactoryApp
from tests.ui.test_app import _until


async def test_e_exports_a_finished_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = FactoryApp(Config(n=30, p=2, c=2, k=10, produce_ms=1, consume_ms=1, seed=3))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")  # nothing yet: a message, no file
        assert not list(tmp_path.iterdir())
        await pilot.press("s")
        await _until(pilot, lambda: app.state.phase == "finished")
        await pilot.press("e", "ctrl+s")
    traces = list(tmp_path.glob("factory-run-*.jsonl"))
    assert len(traces) == 1
    events = load_trace(traces[0])  # a valid trace, every invariant checked
    assert events[-1]["summary"]["broken"] == 10
    chrome = json.loads(traces[0].with_suffix("").with_suffix(".chrome.json").read_text())
    assert any(e.get("ph") == "X" for e in chrome["traceEvents"])
    summary = json.loads(traces[0].with_suffix("").with_suffix(".summary.json").read_text())
    assert summary["outcome"] == "stopped" and summary["complete"] is True
    assert list(tmp_path.glob("factory-screen-*.svg"))
