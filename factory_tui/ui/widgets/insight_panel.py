"""`i`: throughput and occupancy over time, the wait histogram, Little's law."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ...model import RunState, brief_duration

SPARKS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int, top: float | None = None) -> str:
    """The last `width` values as block characters, scaled to `top` (or their max)."""
    values = values[-width:]
    high = top if top else max(values, default=0.0)
    if high <= 0:
        return " " * len(values)
    return "".join(SPARKS[0 if v <= 0 else 1 + min(7, int(v / high * 7.999))] for v in values)


class InsightPanel(Widget):
    DEFAULT_CSS = """
    InsightPanel { height: 1fr; min-height: 4; border: round $secondary; border-title-align: left;
                   padding: 0 1; display: none; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.border_title = "insights · i shows the log"
        self._state: RunState | None = None

    def show(self, state: RunState) -> None:
        self._state = state
        if self.display:
            self.refresh()

    def render(self) -> Text:
        state = self._state
        text = Text()
        if state is None or state.config is None:
            return Text("Start a run (s) to see throughput, occupancy, waits and Little's law.", style="dim")
        width = max(10, self.content_size.width - 16)
        now = state.t
        insights = state.insights
        capacity = state.capacity
        rates = insights.consumed_over_time.rates(now)
        current = rates[-1] if rates else 0.0
        mean_rate = state.consumed / now if now > 0 else 0.0
        text.append("throughput   ", style="bold")
        text.append(sparkline(rates, width), style="green")
        text.append(f"\n             now {current:,.0f}/s · mean {mean_rate:,.0f}/s · "
                    f"one bar = {insights.consumed_over_time.width:g}s\n")
        levels = insights.occupancy_levels(now)
        text.append("in buffer    ", style="bold")
        text.append(sparkline(levels, width, top=capacity), style="cyan")
        L = insights.mean_occupancy(now)
        text.append(f"\n             mean {L:.2f} of {capacity} (time-average)\n")

        text.append("\nwait from made to consumed", style="bold")
        hist = state.latency
        if hist.count:
            text.append(f" ({hist.count:,} widgets; p50 {brief_duration(hist.percentile(0.5))}, "
                        f"p95 {brief_duration(hist.percentile(0.95))})\n")
            bins = hist.bins(6)
            most = max(n for _, n in bins) or 1
            for edge, n in bins:
                bar = "█" * max(1 if n else 0, round(n / most * max(1, width - 8)))
                text.append(f"  ≤ {brief_duration(edge):>8} ", style="dim")
                text.append(bar, style="magenta")
                text.append(f" {n:,}\n")
        else:
            text.append(": no widget consumed yet\n", style="dim")

        lam, W = insights.departure_rate(now), insights.mean_wait()
        text.append("\nLittle's law for the buffer", style="bold")
        text.append("  L = λ·W\n")
        text.append(f"  L  = {L:.2f} widgets on average in the buffer\n")
        text.append(f"  λW = {lam:,.1f}/s leaving × {brief_duration(W)} each in it = {lam * W:.2f}")
        if L > 0 or lam * W > 0:
            gap = abs(L - lam * W) / max(L, lam * W)
            if gap < 0.02:
                text.append("  ✓ equal", style="bold green")
            else:
                text.append(f"  ({gap:.0%} apart: {state.occupancy} widgets are still inside)", style="yellow")
        text.append("\n  A slower consumer makes W longer, so L grows until the buffer is full.", style="dim")
        return text
