"""The bounded buffer: occupancy of B, slot by slot, and its recent history."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ...model import RunState

SPARKS = " ▁▂▃▄▅▆▇█"


class BufferGauge(Widget):
    DEFAULT_CSS = """
    BufferGauge {
        height: 5;
        border: round $accent;
        border-title-align: left;
        padding: 0 1;
    }
    BufferGauge.-full { border: round $error; }
    BufferGauge.-broken { border: heavy $error; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.border_title = "buffer"
        self._state: RunState | None = None
        self._capacity = 0

    def show(self, state: RunState, capacity: int) -> None:
        self._state = state
        self._capacity = capacity
        full = capacity > 0 and state.occupancy >= capacity
        self.set_class(full, "-full")
        self.set_class(state.broken_in_buffer, "-broken")
        self.border_title = f"buffer {state.occupancy}/{capacity}" + ("  FULL" if full else "")
        self.refresh()

    def render(self) -> Text:
        state, capacity = self._state, self._capacity
        width = max(10, self.content_size.width)
        if state is None or capacity <= 0:
            return Text("")
        bar_width = max(1, width - 2)
        text = Text()
        occupancy = state.occupancy
        if capacity <= bar_width:
            # One cell per slot: each widget in the buffer is visible.
            numbers = list(state.buffer)
            for slot in range(capacity):
                if slot < occupancy:
                    number = numbers[slot] if slot < len(numbers) else None
                    if number is not None and number == state.k:
                        text.append("█", style="bold red")
                    elif number is not None and number in state.over:
                        text.append("█", style="yellow")
                    else:
                        text.append("█", style="green")
                else:
                    text.append("·", style="dim")
        else:
            filled = round(bar_width * occupancy / capacity)
            if occupancy and not filled:
                filled = 1
            style = "bold red" if state.broken_in_buffer else "green"
            text.append("█" * filled, style=style)
            text.append("·" * (bar_width - filled), style="dim")
        text.append("\n")
        history = list(state.history)[-bar_width:]
        for value in history:
            level = 0 if not value else 1 + min(7, (value * 8 - 1) // capacity)
            text.append(SPARKS[level], style="cyan")
        text.append("\n")
        text.append_text(self._id_channel(state, bar_width))
        return text

    def _id_channel(self, state: RunState, width: int) -> Text:
        """The ID channel beside the buffer: a pre-filled one is why production goes on."""
        capacity = state.config["id_buffer"] if state.config else 0
        closed = " closed" if state.id_channel_closed else ""
        if capacity == 0:
            return Text(f"ID channel: hand-off (capacity 0){closed}", style="dim")
        held = state.ids_in_channel
        label = f" IDs {held}/{capacity}{closed}"
        if state.id_channel_closed and held:
            label += ": still delivering after the stop"
        cells = max(1, min(width - len(label), 40))
        filled = round(cells * held / capacity) if capacity else 0
        if held and not filled:
            filled = 1
        style = "bold magenta" if state.stopped and held else "magenta"
        text = Text("▮" * filled, style=style)
        text.append("·" * (cells - filled), style="dim")
        text.append(label, style=style)
        return text
