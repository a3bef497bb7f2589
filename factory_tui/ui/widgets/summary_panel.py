"""Counts as they happen, and the run's summary when it ends."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ...model import RunState, brief_duration


class SummaryPanel(Static):
    DEFAULT_CSS = """
    SummaryPanel { height: 19; padding: 0 1; border: round $panel-lighten-2; border-title-align: left; }
    SummaryPanel.-done { border: round $success; }
    SummaryPanel.-ended { border: round $error; }
    """

    def show(self, state: RunState) -> None:
        summary = state.summary
        self.border_title = "summary"
        self.set_class(summary is not None and state.phase == "finished", "-done")
        self.set_class(summary is not None and state.phase != "finished", "-ended")
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim")
        table.add_column(justify="right")
        if summary:
            table.add_row("outcome", Text(str(summary.get("outcome")), style="bold"))
        table.add_row("produced", str(state.produced))
        table.add_row("consumed", str(state.consumed))
        table.add_row("in buffer", str(state.occupancy))
        if state.discarded:
            table.add_row("discarded", Text(str(state.discarded), style="bold yellow"))
        if state.abandoned:
            table.add_row("abandoned", str(state.abandoned))
        if state.broken is not None:
            broken = Text(f"#{state.broken} found", style="bold red")
        elif 1 <= state.k <= (state.config or {}).get("n", 0):
            broken = Text(f"#{state.k} not yet found", style="dim")
        else:
            broken = Text("none", style="dim")
        table.add_row("broken", broken)
        table.add_row("after broken", str(state.after_broken))
        over = Text(str(state.after_stop), style="bold yellow" if state.after_stop else "")
        table.add_row("after stop", over)
        latency = state.latency
        if latency.count:
            table.add_row("latency p50", brief_duration(latency.percentile(0.5)))
            table.add_row("latency p95", brief_duration(latency.percentile(0.95)))
            table.add_row("latency max", brief_duration(latency.high))
        elapsed = (summary.get("elapsed_s") if summary else state.t) or 0.0
        if summary:
            table.add_row("elapsed", f"{elapsed:.3f}s")
        if elapsed > 0 and state.consumed:
            table.add_row("widgets/s", f"{state.consumed / elapsed:,.0f}")
        if state.config and state.config.get("seed") is not None:
            table.add_row("seed", str(state.config["seed"]))
        if summary and summary.get("error"):
            table.add_row("error", Text(str(summary["error"]), style="red"))
        self.update(table, layout=False)  # fixed height: no reflow of the screen per frame
