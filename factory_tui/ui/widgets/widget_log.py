"""The widget log: every widget, bounded, the broken one lit up."""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Log

LOG_LINES = 5_000  # the log keeps this many lines; older ones scroll away for good


class WidgetLogHighlighter(Highlighter):
    """Styles whole lines by what they tell; runs only for lines on screen."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        if "BROKEN" in plain:
            text.stylize("bold white on dark_red")
        elif "over-production" in plain:
            text.stylize("bold yellow")
        elif "DISCARDED" in plain or "abandoned" in plain:
            text.stylize("yellow")
        elif "stop signal" in plain or "closed" in plain or "exited" in plain:
            text.stylize("cyan")
        elif " run " in plain[:24]:
            text.stylize("bold")


class WidgetLog(Log):
    def __init__(self, **kwargs):
        super().__init__(max_lines=LOG_LINES, highlight=True, auto_scroll=True, **kwargs)
        self.highlighter = WidgetLogHighlighter()
        self.border_title = "widget log"
