"""The UI under stress: restarts in a flood, quitting in a flood, any terminal size, any typed input."""

import threading
import time

import pytest
from textual.widgets import Input

from factory_tui.engine import Config
from factory_tui.ui.app import FactoryApp
from tests.ui.test_app import _engine_threads, _until, text_of

FLOOD = Config(n=10**9, p=4, c=4, buffer=10, produce_ms=0, consume_ms=0, jitter=0)


def _ours() -> list[str]:
    """Threads other than the event loop's own executor threads (asyncio_N)."""
    return sorted(t.name for t in threading.enumerate() if not t.name.startswith("asyncio_"))


async def test_100_restarts_during_a_flood_leave_no_thread_behind():
    baseline = _ours()
    app = FactoryApp(FLOOD)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            app.action_restart()  # the key's action, without Pilot's wait-for-idle between presses
            await pilot.pause(0.005)
        await _until(pilot, lambda: app.state.produced > 0)
        assert app.bridge.running
        await pilot.press("q")
    assert not _engine_threads()
    deadline = time.monotonic() + 5
    while _ours() != baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _ours() == baseline


async def test_quitting_during_a_flood_takes_under_a_second():
    app = FactoryApp(FLOOD.replace(p=64, c=64))
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_start()
        await _until(pilot, lambda: app.state.produced > 1000)
        started = time.monotonic()
        await app.action_quit()
        quit_took = time.monotonic() - started
    assert not _engine_threads()
    assert quit_took < 1.0, f"quit took {quit_took:.2f}s"  # the bound on a hang, not a benchmark


@pytest.mark.parametrize("sizes", [[(40, 12), (250, 70), (80, 24), (41, 13), (120, 40), (40, 12)]])
async def test_resizing_during_a_run_never_raises(sizes):
    app = FactoryApp(FLOOD.replace(p=16, c=16))
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_start()
        for width, height in sizes * 3:
            await pilot.resize_terminal(width, height)
            await pilot.pause(0.05)
        assert app.state.produced > 0 and app.bridge.running
        await pilot.press("q")
    assert not _engine_threads()


async def test_a_40x12_terminal_still_shows_the_phase_and_the_keys():
    app = FactoryApp(Config(n=20, p=2, c=2, k=5, produce_ms=1, consume_ms=1))
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("s")
        await _until(pilot, lambda: app.state.phase == "finished")
        await pilot.pause(0.1)
        phase = text_of(app.query_one("#phase"))
        assert "FINISHED" in phase
        on_screen = {key.key for key in app.query("FooterKey") if key.region and key.region.right <= 40}
        assert {"s", "r", "space", "q"} <= on_screen, on_screen


BAD_VALUES = [
    ("#n", "ten", "is not a whole number"),
    ("#n", "-5", "is too small"),
    ("#n", "", "is empty"),
    ("#n", "1000000001", "is too large"),
    ("#p", "0", "is too small"),
    ("#p", "513", "is too large"),
    ("#c", "3.5", "is not a whole number"),
    ("#buffer", "0", "is too small"),
    ("#id-buffer", "-1", "is too small"),
    ("#produce-ms", "fast", "is not a number"),
    ("#consume-ms", "-0.5", "is too small"),
    ("#jitter", "1.5", "is too large"),
    ("#seed", "1.5", "is not a whole number"),
    ("#k", "9" * 2000, "is not a whole number"),  # pasted junk, far past any integer
    ("#n", "12\n34", "is not a whole number"),  # pasted text with a line break
]


@pytest.mark.parametrize("field, value, words", BAD_VALUES)
async def test_bad_form_input_shows_a_message_and_starts_nothing(field, value, words):
    app = FactoryApp(Config(n=10, produce_ms=1, consume_ms=1))
    async with app.run_test(size=(120, 40)) as pilot:
        widget = app.query_one(f"#settings {field}", Input)
        widget.value = value
        await pilot.pause()
        errors = " ".join(text_of(app.query_one("#settings-errors")).split())
        assert words in errors
        assert widget.has_class("-invalid")
        await pilot.press("s")
        await pilot.press("c")  # compare refuses too
        await pilot.pause(0.1)
        assert app.state.phase == "idle" and not app.bridge.running
        assert app.screen is app.screen_stack[0]
    assert not _engine_threads()


async def test_typing_into_a_field_then_escape_gives_the_keys_back():
    app = FactoryApp(Config(n=10, produce_ms=1, consume_ms=1))
    async with app.run_test(size=(120, 40)) as pilot:
        field = app.query_one("#n", Input)
        field.focus()
        await pilot.press("end", "backspace", "backspace", "5")
        assert field.value == "5" and app.state.phase == "idle"  # "s" would have been typed, not run
        await pilot.press("escape", "s")
        await _until(pilot, lambda: app.state.phase == "finished")
        assert app.state.produced == 5


async def test_widening_after_shrinking_brings_the_full_layout_back():
    app = FactoryApp(Config(n=20, p=2, c=2, k=7))
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.query_one("#producer-1").has_class("-compact")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        assert app.query_one("#producer-1").has_class("-compact") and app.has_class("-narrow", "-short")
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        assert not app.query_one("#producer-1").has_class("-compact")
        assert not app.has_class("-narrow") and not app.has_class("-short")
