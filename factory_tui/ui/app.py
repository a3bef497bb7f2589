"""The factory-tui application: one screen, fed by the bridge on a timer."""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Select

from ..engine.config import UI_DEFAULTS, Config
from ..model import RunState
from ..trace import TraceWriter
from .bridge import Bridge, Frame
from .compare_screen import CompareScreen
from .help_screen import HelpScreen
from .player import TracePlayer
from .widgets.buffer_gauge import BufferGauge
from .widgets.insight_panel import InsightPanel
from .widgets.phase_bar import PhaseBar
from .widgets.settings_form import SettingsForm
from .widgets.summary_panel import SummaryPanel
from .widgets.widget_log import WidgetLog
from .widgets.worker_pane import WorkerGroup

FRAME_HZ = 25
SHORT_BELOW = 30  # rows: below this, panes go one line each and the form folds away mid-run
NARROW_BELOW = 100  # columns: below this, the sidebar narrows
SPEEDS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, 16, 32, 64)


class FactoryApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "factory-tui"
    AUTO_FOCUS = "#log"  # never a text field: `s` must start a run, not type an "s"
    # Order matters on a narrow screen: the footer shows the first keys first.
    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("r", "restart", "Restart"),
        Binding("space", "pause", "Pause"),
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("full_stop", "step", "Step", key_display="."),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("c", "compare", "Compare"),
        Binding("i", "insights", "Insights"),
        Binding("e", "export", "Export"),
        Binding("ctrl+s", "save_svg", "Save SVG", show=False),
        Binding("escape", "leave_field", "Leave field", show=False),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),  # as in any terminal program
        # priority: the focused log would take home/end for scrolling; in a live
        # run check_action declines these and the keys fall through to the log.
        Binding("home", "seek('start')", "Rewind", key_display="home", priority=True),
        Binding("b", "seek('broken')", "Broken", priority=True),
        Binding("t", "seek('stop')", "Stop", priority=True),
        Binding("end", "seek('end')", "End", key_display="end", priority=True),
    ]

    def __init__(self, config: Config = UI_DEFAULTS, record: str | None = None,
                 trace: list[dict[str, Any]] | None = None, frame_hz: float = FRAME_HZ,
                 chrome_trace: str | None = None):
        super().__init__()
        self.config = config
        self.record = record
        self.chrome_trace = chrome_trace  # written when a live run finishes
        self.bridge = Bridge()
        self.player = TracePlayer(trace) if trace else None
        self.speed_index = SPEEDS.index(1)
        self.frame_hz = frame_hz
        self.state = RunState()  # what the screen shows now
        self._writer: TraceWriter | None = None
        self._last_tick = time.monotonic()
        self._playing = False  # replay: the trace is playing
        self._chrome_written = False

    # -- layout -----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield PhaseBar(id="phase")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield SettingsForm(self.config, id="settings")
                yield SummaryPanel(id="summary")
            with Vertical(id="main"):
                yield WorkerGroup("producer", id="producers")
                yield BufferGauge(id="buffer")
                yield WorkerGroup("consumer", id="consumers")
                yield WidgetLog(id="log")
                yield InsightPanel(id="insights")
        yield Footer()

    def on_mount(self) -> None:
        if self.player:
            self.sub_title = "replay"
            self.query_one(SettingsForm).disabled = True
        self._draw(self.state, self.config)
        log = self.query_one(WidgetLog)
        if self.player:
            log.write_lines([f"Replay of a recorded run ({len(self.player.events)} events).",
                             "s plays, space pauses, . steps one event,",
                             "home / b / t / end jump to the start, the broken widget, the stop, the end."])
        else:
            log.write_lines(["Press s to start a run; ? lists every key.",
                             "Set broken (k) to a number from 1 to n to watch a widget stop production",
                             "and the shutdown that follows; c compares the three shutdown strategies."])
        self.set_interval(1 / self.frame_hz, self._tick)

    def on_resize(self, event: events.Resize) -> None:
        # The event's size, not self.size: that may still be the old one here,
        # and a screen widened again would keep its small-screen layout.
        size = event.size
        self.set_class(size.width < NARROW_BELOW, "-narrow")
        self.set_class(size.height < SHORT_BELOW, "-short")
        footer = self.query_one(Footer)
        footer.compact = size.width < NARROW_BELOW
        footer.show_command_palette = size.width >= 140  # room for every key first; ctrl+p still works
        self._draw(self.state, self._config_of(self.state), short=size.height < SHORT_BELOW)

    def _config_of(self, state: RunState) -> Config:
        if state.config:
            return Config.from_dict(state.config)
        return self.config

    # -- the frame loop -----------------------------------------------------------
    def _tick(self) -> None:
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        if self.player and self._playing:
            events = self.player.advance(elapsed * self.speed)
            if events:
                self.bridge.feed(events)
            if self.player.done:
                self._playing = False
        frame = self.bridge.frame()
        if frame is not None:
            self._show(frame)

    def _show(self, frame: Frame) -> None:
        state = frame.state
        config = self._config_of(state)
        log = self.query_one(WidgetLog)
        with self.batch_update():
            if frame.skipped_lines:
                log.write_line(f"   … {frame.skipped_lines:,} earlier lines not shown (more than a frame can hold)")
            if frame.lines:
                log.write_lines(frame.lines)
            self.state = state
            self._draw(state, config)
        if state.finished and self._writer is not None:
            self._writer.close()
            self._writer = None
        if state.finished and self.chrome_trace and not self.player and not self._chrome_written:
            from ..chrome_trace import write_chrome_trace

            self._chrome_written = True
            try:
                write_chrome_trace(self.bridge.run_events(), self.chrome_trace)
            except OSError as exc:
                self.notify(f"--chrome-trace: {exc.strerror or exc}", severity="error")

    def _draw(self, state: RunState, config: Config, short: bool | None = None) -> None:
        producers = self.query_one("#producers", WorkerGroup)
        consumers = self.query_one("#consumers", WorkerGroup)
        if short is None:
            short = self.has_class("-short")
        producers.set_count(config.p, force_compact=short)
        consumers.set_count(config.c, force_compact=short)
        self.set_class(state.phase in ("running", "stopping", "draining"), "-running")
        producers.show(state.producers)
        consumers.show(state.consumers)
        self.query_one(BufferGauge).show(state, config.buffer)
        self._draw_phase()
        self.query_one(SummaryPanel).show(state)
        self.query_one(InsightPanel).show(state)

    def _draw_phase(self) -> None:
        paused = self.bridge.paused or (self.player is not None and not self._playing
                                        and self.player.position > 0 and not self.player.done)
        source = "replay" if self.player else "live"
        self.query_one(PhaseBar).show(self.state, paused, self.speed, source)

    @property
    def speed(self) -> float:
        return SPEEDS[self.speed_index]

    # -- actions ----------------------------------------------------------------
    def action_start(self) -> None:
        if self.player:
            if self.player.done or self.player.position == 0:
                self._replay_from_start()
            self._playing = True
            return
        if self.bridge.running:
            self.notify("A run is in progress: r restarts it.", severity="warning")
            return
        self._start_run()

    def action_restart(self) -> None:
        if self.player:
            self._replay_from_start()
            self._playing = True
            return
        self._start_run()

    def _start_run(self) -> bool:
        config, errors = self.query_one(SettingsForm).read()
        if errors or config is None:
            self.notify(errors[0].message if errors else "invalid settings", title="not started",
                        severity="error")
            return False
        self.bridge.cancel()
        self.config = config
        self._close_writer()
        if self.record:
            try:
                self._writer = TraceWriter(self.record)
            except OSError as exc:
                self.notify(f"--record: cannot write {self.record}: {exc.strerror or exc}", severity="error")
                self._writer = None
        self.query_one(WidgetLog).clear()
        self._chrome_written = False
        self.bridge.start(config, self._writer)
        self.state = RunState()  # the old run's screen must not linger for a frame
        self._draw(self.state, config)
        return True

    def _replay_from_start(self) -> None:
        assert self.player is not None
        self.player.rewind()
        self.query_one(WidgetLog).clear()
        self.bridge.feed([], reset=True)
        self._last_tick = time.monotonic()

    def action_pause(self) -> None:
        if self.player:
            if self.player.position > 0 and not self.player.done:
                self._playing = not self._playing
                self._last_tick = time.monotonic()
        else:
            self.bridge.toggle_pause()
        self._draw_phase()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "seek":  # seek keys exist only in replay, and show only there
            return self.player is not None
        if action == "compare" and self.player is not None:
            return False
        return True

    def action_seek(self, mark: str) -> None:
        """Replay: jump to the start, the broken widget, the stop signal or the end; paused there."""
        if self.player is None:
            return
        target = self.player.marks().get(mark)
        if target is None:
            self.notify(f"This trace has no {'broken widget' if mark == 'broken' else 'stop signal'}.")
            return
        self.seek_to(target)

    def seek_to(self, position: int) -> None:
        assert self.player is not None
        events = self.player.seek(position)
        self._playing = False
        self.query_one(WidgetLog).clear()
        self.bridge.feed(events, reset=True)
        if not events:
            self.state = RunState()
            self._draw(self.state, self.config)
        self._tick()

    def action_step(self) -> None:
        if self.player:
            if not self._playing and not self.player.done:
                self.bridge.feed(self.player.step())
            return
        if not self.bridge.step():
            self.notify("Step works on a paused run: press space first.", severity="information")

    def action_compare(self) -> None:
        config, errors = self.query_one(SettingsForm).read()
        if errors or config is None:
            self.notify(errors[0].message if errors else "invalid settings", title="cannot compare",
                        severity="error")
            return
        self.push_screen(CompareScreen(config))

    def set_strategy(self, stop: str) -> None:
        self.query_one("#stop", Select).value = stop

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Start", "Start a run with the settings in the form (s)", self.action_start)
        yield SystemCommand("Restart", "Cancel the run in progress and start again (r)", self.action_restart)
        yield SystemCommand("Pause / resume", "Hold or release every thread (space)", self.action_pause)
        yield SystemCommand("Compare strategies", "Run drain, strict and abort side by side (c)",
                            self.action_compare)
        yield SystemCommand("Export", "Write this run as a JSONL trace, a Chrome trace and a summary (e)",
                            self.action_export)
        yield SystemCommand("Save screen as SVG", "A picture of the screen as it is (ctrl+s)", self.action_save_svg)
        yield SystemCommand("Insights", "Throughput, occupancy, waits and Little's law, or back to the log (i)",
                            self.action_insights)
        for stop, words in (("drain", "producers finish what they hold; consumers drain the buffer"),
                            ("strict", "at most one widget is put after the stop signal"),
                            ("abort", "stop at once; what is left in the buffer is discarded")):
            yield SystemCommand(f"Strategy: {stop}", words, partial(self.set_strategy, stop))

    def action_faster(self) -> None:
        self._set_speed(self.speed_index + 1)

    def action_slower(self) -> None:
        self._set_speed(self.speed_index - 1)

    def _set_speed(self, index: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, index))
        self.bridge.set_speed(self.speed)
        self._draw_phase()

    def action_insights(self) -> None:
        """Switch the bottom of the screen between the widget log and the insight panel."""
        panel = self.query_one(InsightPanel)
        log = self.query_one(WidgetLog)
        panel.display = not panel.display
        log.display = not panel.display
        panel.show(self.state)

    def action_export(self) -> None:
        """Write the run shown (JSONL trace, Chrome trace, summary JSON) to files named by its time."""
        from ..chrome_trace import write_chrome_trace
        from ..formats import event_json

        events = self.player.events[: self.player.position] if self.player else self.bridge.run_events()
        if not events:
            self.notify("Nothing to export yet: start a run (s).", severity="warning")
            return
        base = Path.cwd() / f"factory-run-{self._stamp(events)}"
        try:
            with open(f"{base}.jsonl", "w", encoding="utf-8") as out:
                out.writelines(event_json(event) + "\n" for event in events)
            write_chrome_trace(events, f"{base}.chrome.json")
            summary = dict(self.state.summary or {})
            summary.update(config=self.state.config, events=len(events),
                           complete=events[-1]["type"] == "run_finished")
            Path(f"{base}.summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Export failed: {exc.strerror or exc}", severity="error")
            return
        cut = " (the first 20,000 events: use --record for whole long runs)" if (
            not self.player and self.bridge.run_events_cut) else ""
        self.notify(f"Exported {base.name}.jsonl, .chrome.json and .summary.json to {base.parent}{cut}",
                    title="export", timeout=8)

    def action_save_svg(self) -> None:
        path = self.save_screenshot(filename=f"factory-screen-{time.strftime('%Y%m%d-%H%M%S')}.svg",
                                    path=str(Path.cwd()))
        self.notify(f"Screen saved to {path}", title="SVG", timeout=8)

    @staticmethod
    def _stamp(events: list[dict[str, Any]]) -> str:
        wall = events[0].get("wall_time") or time.time()
        return time.strftime("%Y%m%d-%H%M%S", time.localtime(wall))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_leave_field(self) -> None:
        if isinstance(self.focused, (Input, Select)):
            self.query_one(WidgetLog).focus()

    async def action_quit(self) -> None:
        self.bridge.shutdown(timeout=1.0)
        self._close_writer()
        self.exit(0)

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def on_unmount(self) -> None:
        self.bridge.shutdown(timeout=1.0)
        self._close_writer()

    # -- the form previews the factory before a run -----------------------------
    def on_settings_form_validated(self, message: SettingsForm.Validated) -> None:
        """Before the first run, the factory on screen follows the form (p and c panes, B)."""
        if message.config is not None and self.state.config is None and not (self.player or self.bridge.running):
            self.config = message.config
            self._draw(self.state, message.config)
