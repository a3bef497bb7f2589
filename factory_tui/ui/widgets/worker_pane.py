"""A pane per producer or consumer, and the group that lays them out."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Container
from textual.widgets import Static

from ...model import Worker

# state -> (symbol, words, css class)
STATES = {
    "starting": ("·", "starting", "-idle"),
    "waiting-id": ("…", "waiting for an ID", "-idle"),
    "making": ("⚙", "making", "-busy"),
    "blocked": ("■", "BLOCKED: buffer full", "-blocked"),
    "ready": ("·", "ready", "-idle"),
    "waiting": ("◌", "WAITING: buffer empty", "-waiting"),
    "consuming": ("▶", "consuming", "-busy"),
    "exited": ("✓", "exited", "-exited"),
    "idle": ("·", "idle", "-idle"),
}
STATE_CLASSES = {"-idle", "-busy", "-blocked", "-waiting", "-exited"}
COMPACT_STYLES = {"-idle": "", "-busy": "green", "-blocked": "bold red", "-waiting": "yellow", "-exited": "dim"}
COMPACT_ABOVE = 8  # more workers than this in a group: one line each
PANES_PER_FRAME = 128  # panes brought up to date per frame, in turn


class WorkerPane(Static):
    """State, widget in hand and count of one worker."""

    DEFAULT_CSS = """
    WorkerPane {
        width: 1fr;
        height: 4;
        border: round $panel-lighten-2;
        border-title-color: $text;
        padding: 0 1;
    }
    WorkerPane.-compact { height: 1; border: none; padding: 0; }
    WorkerPane.-busy { border: round $success; }
    WorkerPane.-blocked { border: round $error; background: $error 15%; }
    WorkerPane.-waiting { border: round $warning; background: $warning 10%; }
    WorkerPane.-exited { border: round $panel; color: $text-muted; }
    WorkerPane.-broken { border: heavy $error; background: $error 30%; }
    """

    def __init__(self, role: str, index: int, compact: bool = False):
        super().__init__(id=f"{role}-{index}", classes="-idle")
        self.role = role
        self.index = index
        self.border_title = f"{role}_{index}"
        self.set_class(compact, "-compact")
        self._shown: tuple | None = None

    def forget(self) -> None:
        """Draw again at the next show(), even if the worker did not change."""
        self._shown = None

    def show(self, worker: Worker | None) -> None:
        if worker is None:
            worker = Worker(f"{self.role}_{self.index}", state="idle")
        key = (worker.state, worker.number, worker.broken, worker.over, worker.count,
               worker.found_broken, worker.made_broken, worker.reason, self.has_class("-compact"))
        if key == self._shown:
            return
        self._shown = key
        symbol, words, css = STATES.get(worker.state, ("?", worker.state, "-idle"))
        highlight = worker.broken or worker.found_broken is not None
        verb = "made" if self.role == "producer" else "consumed"
        hand = Text()
        if worker.number is not None:
            hand.append(f"#{worker.number}", style="bold")
            if worker.broken:
                hand.append(" BROKEN", style="bold red")
            if worker.over:
                hand.append(" over", style="bold yellow")
        if self.has_class("-compact"):
            # One line, styled in the text itself: changing CSS classes on
            # hundreds of panes every frame would restyle and re-lay them out.
            line = Text(f"{self.role[0]}{self.index:<3} {symbol} ", style=COMPACT_STYLES[css],
                        no_wrap=True, overflow="ellipsis")
            if worker.number is not None:
                line.append_text(hand)
            elif worker.found_broken is not None:  # narrow cells: the find replaces the empty hand
                line.append(f"found#{worker.found_broken}", style="bold reverse")
            line.append(f" ×{worker.count}")
            if highlight:
                line.stylize("on dark_red")
            self.update(line, layout=False)
            return
        for name in STATE_CLASSES - {css}:
            self.remove_class(name)
        self.add_class(css)
        self.set_class(highlight, "-broken")
        if worker.found_broken is not None:
            self.border_subtitle = f"found BROKEN #{worker.found_broken}"
        elif worker.made_broken is not None:
            self.border_subtitle = f"made BROKEN #{worker.made_broken}"
        else:
            self.border_subtitle = ""
        text = Text(f"{symbol} {words}")
        if worker.state == "exited" and worker.reason:
            text.append(f" ({worker.reason})")
        text.append("\n")
        if worker.number is not None:
            text.append_text(hand)
            text.append("  ")
        text.append(f"{verb} {worker.count}")
        self.update(text, layout=False)


class WorkerGroup(Container):
    """#producers or #consumers: one pane per worker, in as many columns as fit."""

    DEFAULT_CSS = """
    WorkerGroup {
        layout: grid;
        grid-size: 4;
        grid-gutter: 0 1;
        height: auto;
        max-height: 12;
        overflow-y: auto;
        border-top: solid $panel-lighten-1;
        border-title-align: left;
    }
    """

    def __init__(self, role: str, **kwargs):
        super().__init__(**kwargs)
        self.role = role
        self.border_title = f"{role}s"
        self._count = 0
        self._compact = False
        self._panes: list[WorkerPane] = []
        self._next = 0  # the pane to bring up to date first in the next frame

    def set_count(self, count: int, force_compact: bool = False) -> None:
        """Show `count` panes (before a run starts too: from the settings).

        Panes are never removed, only hidden: removal is asynchronous in
        Textual, and a pane mounted again with the same id before the old one
        is gone would clash. The pool grows to the largest count seen."""
        compact = count > COMPACT_ABOVE or force_compact
        if count == self._count and compact == self._compact:
            return
        new = [WorkerPane(self.role, i, compact) for i in range(len(self._panes) + 1, count + 1)]
        self._panes.extend(new)
        for pane in self._panes:
            pane.display = pane.index <= count
            if pane.has_class("-compact") != compact:
                pane.set_class(compact, "-compact")
                if compact:  # compact panes carry their look in their text
                    pane.remove_class(*STATE_CLASSES, "-broken")
                pane.forget()
        if new:
            self.mount_all(new)
        self._count, self._compact = count, compact
        self.set_class(compact, "-compact")
        self.border_title = f"{self.role}s ({count})"
        self._fit_columns()

    def show(self, workers: dict[str, Worker]) -> None:
        """Bring the panes up to date; at most PANES_PER_FRAME of them a frame,
        in turn, so that hundreds of workers cost a frame no more than 128 do
        (each pane is then at most a few frames behind)."""
        panes = self._panes[: self._count]
        if len(panes) > PANES_PER_FRAME:
            start = self._next % len(panes)
            panes = (panes[start:] + panes[:start])[:PANES_PER_FRAME]
            self._next = start + PANES_PER_FRAME
        for pane in panes:
            pane.show(workers.get(f"{self.role}_{pane.index}"))

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        width = self.size.width or 80
        pane = 20 if self._compact else 25
        columns = max(1, min(max(self._count, 1), width // pane, 8 if not self._compact else 64))
        self.styles.grid_size_columns = columns
