"""Pilot tests: the real app, real threads, driven by keys."""

import threading

from textual.geometry import Region
from textual.widgets import Input

from factory_tui.engine import Config
from factory_tui.ui.app import FactoryApp
from factory_tui.ui.widgets.worker_pane import WorkerPane

FAST = Config(n=20, p=2, c=2, k=7, buffer=3, produce_ms=2, consume_ms=3, jitter=0.2, seed=1)


async def _until(pilot, predicate, timeout=10.0):
    waited = 0.0
    while not predicate():
        assert waited < timeout, "timed out waiting for the UI"
        await pilot.pause(0.05)
        waited += 0.05


STEADY = Config(n=100_000, p=2, c=2, buffer=5, produce_ms=1, consume_ms=1)


async def _paused_mid_run(pilot, app, consumed_first: int):
    """Start a steady run, let it consume a few widgets, pause it and let what
    was in flight land; returns (produced, consumed) as it stands."""
    await pilot.press("s")
    await _until(pilot, lambda: app.state.consumed > consumed_first)
    await pilot.press("space")
    await pilot.pause(0.3)
    return app.state.produced, app.state.consumed


def text_of(widget) -> str:
    """What a widget shows on screen, as plain text."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def _engine_threads():
    return [t for t in threading.enumerate() if t.name.startswith(("producer_", "consumer_", "id_generator",
                                                                    "factory-supervisor"))]


async def test_s_plays_a_whole_run_to_finished_with_the_broken_widget_marked():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not isinstance(app.focused, Input)  # keys work from the first frame
        assert app.state.phase == "idle"
        await pilot.press("s")
        await _until(pilot, lambda: app.state.phase == "finished")
        state = app.state
        assert state.broken == 7
        assert state.consumed == state.produced >= 7
        assert state.after_stop <= 2
        # both producers and both consumers have panes
        for pane_id in ("#producer-1", "#producer-2", "#consumer-1", "#consumer-2"):
            assert app.query_one(pane_id, WorkerPane)
        finder = app.query_one(f"#consumer-{state.broken_by.rsplit('_', 1)[1]}", WorkerPane)
        assert finder.has_class("-broken")
        assert "found BROKEN #7" in str(finder.border_subtitle)
        log_text = "\n".join(app.query_one("#log").lines)
        assert "found the BROKEN widget #7" in log_text
        assert "made     #7" in log_text
        phase = text_of(app.query_one("#phase"))
        assert "FINISHED" in phase
        summary = text_of(app.query_one("#summary"))
        assert "stopped" in summary
    assert not _engine_threads()


async def test_invalid_settings_show_a_message_and_never_start():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        field = app.query_one("#p", Input)
        field.focus()
        field.value = ""
        await pilot.press("x", "escape")
        assert not isinstance(app.focused, Input)
        errors = " ".join(text_of(app.query_one("#settings-errors")).split())
        assert "producers (p): 'x' is not a whole number; allowed: a whole number from 1 to 512" in errors
        assert field.has_class("-invalid")
        await pilot.press("s")
        await pilot.pause(0.2)
        assert app.state.phase == "idle"
        assert not app.bridge.running
        field.value = "3"
        await pilot.pause()
        assert text_of(app.query_one("#settings-errors")).strip() == ""
        await pilot.press("s")
        await _until(pilot, lambda: app.state.phase == "finished")
        assert len(app.state.producers) == 3


async def test_r_cancels_the_run_in_progress_and_starts_a_new_one():
    slow = FAST.replace(n=1000, consume_ms=50, k=-1)
    app = FactoryApp(slow)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await _until(pilot, lambda: app.state.consumed >= 2)
        first = app.bridge._factory
        await pilot.press("r")
        await pilot.pause(0.1)
        assert first.join(2.0) and first.summary["outcome"] == "cancelled"
        second = app.bridge._factory
        assert second is not first and app.bridge.running
        await _until(pilot, lambda: app.state.phase == "running" and app.state.consumed >= 1)
        await pilot.press("q")
    assert not _engine_threads()


async def test_q_quits_mid_run_and_leaves_no_thread():
    app = FactoryApp(Config(n=1_000_000, p=8, c=8, buffer=2, consume_ms=20))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await _until(pilot, lambda: app.state.produced > 0)
        await pilot.press("q")
    assert not _engine_threads()


async def test_space_pauses_the_threads_and_the_counts_stand_still():
    app = FactoryApp(STEADY)
    async with app.run_test(size=(120, 40)) as pilot:
        before = await _paused_mid_run(pilot, app, consumed_first=5)
        await pilot.pause(0.5)
        assert (app.state.produced, app.state.consumed) == before
        assert "PAUSED" in text_of(app.query_one("#phase"))
        await pilot.press("space")
        await _until(pilot, lambda: app.state.consumed > before[1])
        await pilot.press("q")


async def test_plus_and_minus_change_the_speed():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus", "plus")
        assert app.speed == 4
        await pilot.press("minus", "minus", "minus")
        assert app.speed == 0.5
        assert "speed ×0.5" in text_of(app.query_one("#phase"))


async def test_help_lists_every_key():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        text = app.screen.query_one("Markdown").source
        for key in ("`s`", "`r`", "`space`", "`+` / `-`", "`?`", "`q`"):
            assert key in text
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_the_footer_shows_every_key():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        keys = {b.key_display or b.key for b in app.BINDINGS if b.show}
        assert {"s", "r", "space", "+", "-", "?", "q"} <= {k.split(",")[0] for k in keys}


async def test_the_form_preview_follows_p_and_c_before_a_run():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one("#c", Input).value = "5"
        await pilot.pause()
        assert len(app.query("#consumers WorkerPane")) == 5


async def test_dot_steps_a_paused_run_by_one_widget():
    app = FactoryApp(STEADY)
    async with app.run_test(size=(120, 40)) as pilot:
        _, consumed = await _paused_mid_run(pilot, app, consumed_first=10)
        await pilot.press("full_stop")
        await _until(pilot, lambda: app.state.consumed == consumed + 1)
        await pilot.pause(0.3)
        assert app.state.consumed == consumed + 1
        await pilot.press("q")


async def test_c_shows_the_compare_table_with_three_rows():
    from textual.widgets import DataTable

    app = FactoryApp(Config(n=100, p=2, c=2, k=10, buffer=5, produce_ms=0, consume_ms=0.5, seed=2))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        table = app.screen.query_one("#compare-table", DataTable)
        await _until(pilot, lambda: table.row_count == 3)
        assert [str(table.get_row_at(i)[0]) for i in range(3)] == ["drain", "strict", "abort"]
        await _until(pilot, lambda: "same seed (2)" in text_of(app.screen.query_one("#compare-note")))
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
    assert not _engine_threads()


async def test_the_command_palette_offers_start_restart_compare_and_each_strategy():
    app = FactoryApp(FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Start", "Restart", "Compare strategies", "Strategy: drain", "Strategy: strict",
                "Strategy: abort", "Insights", "Export", "Save screen as SVG", "Theme"} <= titles
        strict = next(c for c in app.get_system_commands(app.screen) if c.title == "Strategy: strict")
        strict.callback()
        await pilot.pause()
        assert app.query_one("#stop").value == "strict"


async def test_the_gauge_shows_a_prefilled_id_channel():
    app = FactoryApp(Config(n=300, p=2, c=2, k=5, id_buffer=300, buffer=5, produce_ms=5, consume_ms=20))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await _until(pilot, lambda: app.state.stopped and app.state.ids_in_channel > 0)
        assert "IDs " in text_of(app.query_one("#buffer"))
        await _until(pilot, lambda: app.state.phase == "finished", timeout=20)
        assert app.state.produced == 300
