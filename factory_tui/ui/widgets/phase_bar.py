"""The phase of the run, shown as the path a run takes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...model import RunState

PATH = ("idle", "running", "stopping", "draining", "finished")
ENDINGS = {"aborted", "cancelled", "failed"}


class PhaseBar(Static):
    DEFAULT_CSS = """
    PhaseBar { height: 1; padding: 0 1; background: $boost; }
    """

    def show(self, state: RunState, paused: bool = False, speed: float = 1.0, source: str = "live") -> None:
        phase = state.phase
        text = Text()
        steps = list(PATH)
        if phase in ENDINGS:
            steps[-1] = phase
        for i, step in enumerate(steps):
            if i:
                text.append(" › ", style="dim")
            if step == phase:
                style = "bold reverse red" if phase in ENDINGS or phase == "stopping" else "bold reverse green"
                text.append(f" {step.upper()} ", style=style)
            else:
                text.append(step, style="dim")
        text.append(f"   t={state.t:.2f}s  made {state.produced}  consumed {state.consumed}")
        if state.discarded:
            text.append(f"  discarded {state.discarded}", style="bold yellow")
        if paused:
            text.append("   PAUSED", style="bold reverse yellow")
        if speed != 1.0:
            text.append(f"   speed ×{speed:g}")
        if source != "live":
            text.append(f"   {source}", style="italic")
        self.update(text)
