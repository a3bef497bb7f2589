"""Replay in the UI: a recorded run plays back to the same phase and counts."""

from factory_tui.engine import Config, Factory
from factory_tui.trace import TraceWriter, load_trace
from factory_tui.ui.app import FactoryApp
from tests.ui.test_app import _until, text_of


def _record(tmp_path, **settings):
    path = tmp_path / "run.jsonl"
    writer = TraceWriter(path)
    Factory(Config(**settings), writer).run()
    writer.close()
    return load_trace(path)


async def test_a_recorded_run_replays_to_the_same_phase_and_counts(tmp_path):
    events = _record(tmp_path, n=40, p=2, c=2, k=15, buffer=4, produce_ms=2, consume_ms=3, seed=5)
    summary = events[-1]["summary"]
    app = FactoryApp(Config.from_dict(events[0]["config"]), trace=events)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.state.phase == "idle"
        await pilot.press("s")
        await _until(pilot, lambda: app.state.phase == "finished", timeout=20)
        state = app.state
        assert (state.produced, state.consumed, state.discarded, state.broken, state.after_stop) == (
            summary["produced"], summary["consumed"], summary["discarded"], summary["broken"],
            summary["after_stop"])
        assert "replay" in text_of(app.query_one("#phase"))


async def test_seek_keys_jump_to_the_broken_widget_the_stop_and_the_ends(tmp_path):
    events = _record(tmp_path, n=40, p=2, c=2, k=15, buffer=4, produce_ms=1, consume_ms=1, seed=6)
    app = FactoryApp(Config.from_dict(events[0]["config"]), trace=events)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        assert app.state.broken == 15 and events[app.player.position - 1]["type"] == "broken_found"
        await pilot.press("t")
        assert app.state.phase == "stopping" and events[app.player.position - 1]["type"] == "stop_signalled"
        await pilot.press("end")
        assert app.state.phase == "finished"
        await pilot.press("home")
        assert app.state.phase == "idle" and app.player.position == 0
        await pilot.press("full_stop", "full_stop")  # one event at a time
        assert app.player.position == 2 and app.state.phase == "running"


async def test_seek_keys_are_only_in_replay():
    app = FactoryApp(Config(n=5))
    async with app.run_test(size=(120, 40)):
        assert app.check_action("seek", ("broken",)) is False
        assert app.check_action("start", ()) is True
