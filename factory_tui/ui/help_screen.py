"""`?`: every key, and what the panes' looks mean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# factory-tui

Producers make widgets and put them in a bounded **buffer**; consumers take and
consume them. The consumer that finds the **broken** widget sends the stop signal;
the shutdown strategy decides what happens to the rest.

| key | does |
| --- | --- |
| `s` | start a run with the settings on the left |
| `r` | restart: cancel the run in progress, start a new one |
| `space` | pause / resume the threads themselves |
| `.` | while paused: one more widget made and one consumed (replay: one event) |
| `c` | compare: the same settings under drain, strict and abort, side by side |
| `e` | export this run: JSONL trace, Chrome trace (Perfetto), summary JSON; `ctrl+s` saves the screen as SVG |
| `i` | insights instead of the log: throughput and occupancy over time, the wait histogram, Little's law |
| `+` / `-` | faster / slower |
| `home` `b` `t` `end` | replay: jump to the start, the broken widget, the stop signal, the end |
| `escape` | leave a settings field, so keys work again |
| `?` | this help |
| `q`, `ctrl+c` | quit (at once, even mid-run) |
| `ctrl+p` | command palette: start, restart, pause, compare, each strategy |

**Panes:** green border = busy (making or consuming); red = a producer **blocked**
on a full buffer; yellow = a consumer **waiting** on an empty one; grey = exited;
heavy red = the broken widget. `over` marks a widget made after the stop signal.

**Phase:** idle › running › stopping (stop signal sent) › draining (buffer
closed, consumers empty it) › finished (or aborted, cancelled, failed).

Press `escape` or `?` to close.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 84; max-width: 100%; max-height: 100%; height: auto;
                                  border: round $accent; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=True) as scroll:
            scroll.border_title = "help · escape closes"
            yield Markdown(HELP)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # so up/down/page keys scroll it
