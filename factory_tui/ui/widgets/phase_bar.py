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

    _shown: tuple = (RunState(),)

    def on_resize(self) -> None:
        self.show(*self._shown)

    def show(self, state: RunState, paused: bool = False, speed: float = 1.0, source: str = "live") -> None:
        self._shown = (state, paused, speed, source)
        phase = state.phase
        text = Text()
        if self.size.width and self.size.width < 100:  # narrow: the phase, not the path
            text.append(f" {phase.upper()} ", style=_style(phase))
            self._counts(text, state, paused, speed, source, short=True)
            self.update(text, layout=False)
            return
        steps = list(PATH)
        if phase in ENDINGS:
            steps[-1] = phase
        for i, step in enumerate(steps):
            if i:
                text.append(" › ", style="dim")
            if step == phase:
                text.append(f" {step.upper()} ", style=_style(phase))
            else:
                text.append(step, style="dim")
        self._counts(text, state, paused, speed, source)
        self.update(text, layout=False)

    @staticmethod
    def _counts(text: Text, state: RunState, paused: bool, speed: float, source: str, short: bool = False) -> None:
        gap = " " if short else "   "
        text.append(f"{gap}t={state.t:.2f}s made {state.produced} consumed {state.consumed}")
        if state.discarded:
            text.append(f"  discarded {state.discarded}", style="bold yellow")
        if paused:
            text.append(f"{gap}PAUSED", style="bold reverse yellow")
        if speed != 1.0:
            text.append(f"{gap}speed ×{speed:g}")
        if source != "live":
            text.append(f"{gap}{source}", style="italic")


def _style(phase: str) -> str:
    return "bold reverse red" if phase in ENDINGS or phase == "stopping" else "bold reverse green"
