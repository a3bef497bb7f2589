"""`c`: the same settings under drain, strict and abort, side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ..compare import COLUMNS, row
from ..engine.config import Config


class CompareScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,c,q", "dismiss", "close")]
    DEFAULT_CSS = """
    CompareScreen { align: center middle; }
    CompareScreen > Vertical { width: 118; max-width: 100%; height: auto; max-height: 90%; border: round $accent;
                               background: $surface; padding: 0 1; }
    CompareScreen #compare-title { margin-bottom: 1; }
    CompareScreen DataTable { height: auto; }
    CompareScreen #compare-note { color: $text-muted; margin-top: 1; }
    """

    @dataclass
    class Result(Message):
        summary: dict[str, Any] | None  # None: every strategy has run

    def __init__(self, config: Config):
        super().__init__()
        self.config = config

    def compose(self) -> ComposeResult:
        c = self.config
        with Vertical():
            yield Static(f"[b]compare[/b]  n={c.n} p={c.p} c={c.c} k={c.k} buffer={c.buffer} "
                         f"id-buffer={c.id_buffer} produce={c.produce_ms:g}ms consume={c.consume_ms:g}ms "
                         f"jitter={c.jitter:g}", id="compare-title")
            yield DataTable(id="compare-table", cursor_type="none", zebra_stripes=True)
            yield Static("running drain…", id="compare-note")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self.app.bridge.compare(self.config, self._deliver)

    def _deliver(self, summary: dict[str, Any] | None) -> None:
        # called in the bridge's thread: post, never block
        self.post_message(self.Result(summary))

    def on_compare_screen_result(self, message: Result) -> None:
        note = self.query_one("#compare-note", Static)
        if message.summary is None:
            seed = self.app.bridge.compare_seed
            note.update(f"same seed ({seed}) for all three runs · escape closes")
            return
        self.query_one(DataTable).add_row(*row(message.summary), key=message.summary["stop"])
        done = self.query_one(DataTable).row_count
        following = ("strict", "abort", "")[min(done, 3) - 1]
        if following:
            note.update(f"running {following}…")

    def on_unmount(self) -> None:
        self.app.bridge.cancel_compare()
