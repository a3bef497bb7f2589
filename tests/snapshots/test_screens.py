"""Snapshot tests: every main screen, fed from fixed traces (never live threads).

Update after an intended change of the screen with
    .venv/bin/python -m pytest tests/snapshots --snapshot-update
and look at the report before committing.
"""

from pathlib import Path

from factory_tui.engine import UI_DEFAULTS
from factory_tui.model import RunState
from factory_tui.trace import load_trace
from factory_tui.ui.app import FactoryApp
from factory_tui.engine.config import Config

TRACES = Path(__file__).parent.parent / "traces"
WIDE = (120, 40)


def replay_app(name: str) -> FactoryApp:
    events = load_trace(TRACES / f"{name}.jsonl")
    return FactoryApp(Config.from_dict(events[0]["config"]), trace=events)


def position(name: str, predicate) -> int:
    """The first position (events played) at which the folded state satisfies `predicate`."""
    events = load_trace(TRACES / f"{name}.jsonl")
    state = RunState()
    for index, event in enumerate(events, start=1):
        state.apply(event)
        if predicate(state):
            return index
    raise AssertionError(f"{name}: no such moment")


def at(index: int):
    async def run_before(pilot) -> None:
        pilot.app.seek_to(index)
        await pilot.pause()

    return run_before


class TestLiveScreens:
    def test_idle_with_defaults(self, snap_compare):
        assert snap_compare(FactoryApp(UI_DEFAULTS), terminal_size=WIDE)

    def test_help_screen(self, snap_compare):
        assert snap_compare(FactoryApp(UI_DEFAULTS), press=["question_mark"], terminal_size=WIDE)

    def test_invalid_settings(self, snap_compare):
        async def type_bad_values(pilot) -> None:
            pilot.app.query_one("#p").value = "zero"
            pilot.app.query_one("#jitter").value = "2"
            await pilot.pause()

        assert snap_compare(FactoryApp(UI_DEFAULTS), run_before=type_bad_values, press=["s"], terminal_size=WIDE)


class TestRunScreens:
    def test_mid_run_with_blocked_producers(self, snap_compare):
        moment = position("drain", lambda s: sum(w.state == "blocked" for w in s.producers.values()) >= 2)
        assert snap_compare(replay_app("drain"), run_before=at(moment), terminal_size=WIDE)

    def test_broken_widget_found_stopping(self, snap_compare):
        moment = position("drain", lambda s: s.phase == "stopping")
        assert snap_compare(replay_app("drain"), run_before=at(moment), terminal_size=WIDE)

    def test_draining(self, snap_compare):
        moment = position("drain", lambda s: s.phase == "draining")
        assert snap_compare(replay_app("drain"), run_before=at(moment), terminal_size=WIDE)

    def test_finished_with_summary(self, snap_compare):
        assert snap_compare(replay_app("drain"), run_before=at(10**9), terminal_size=WIDE)

    def test_abort_with_discarded_widgets(self, snap_compare):
        assert snap_compare(replay_app("abort"), run_before=at(10**9), terminal_size=WIDE)

    def test_prefilled_id_channel_over_producing(self, snap_compare):
        moment = position("prefilled", lambda s: s.stopped and s.after_stop >= 10)
        assert snap_compare(replay_app("prefilled"), run_before=at(moment), terminal_size=WIDE)

    def test_32_producers_and_32_consumers(self, snap_compare):
        moment = position("many", lambda s: s.phase == "stopping")
        assert snap_compare(replay_app("many"), run_before=at(moment), terminal_size=WIDE)

    def test_insight_panel(self, snap_compare):
        async def finished_with_insights(pilot) -> None:
            pilot.app.seek_to(10**9)
            await pilot.press("i")

        assert snap_compare(replay_app("prefilled"), run_before=finished_with_insights, terminal_size=WIDE)

    def test_whole_screen_at_80x24(self, snap_compare):
        moment = position("drain", lambda s: s.phase == "stopping")
        assert snap_compare(replay_app("drain"), run_before=at(moment), terminal_size=(80, 24))
