"""RunState: a pure fold over the event stream into what every view shows.

No threads, no I/O, no clock: the same events always give the same state, so a
recorded trace replays to the same screens and the UI can be tested from fixed
traces. Memory stays flat however long the run: only widgets in flight are
remembered, never every widget.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import islice
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .engine.events import EVENT_TYPES
from .engine.stats import LatencyHistogram
from .insights import Insights

FINAL_PHASE = {"completed": "finished", "stopped": "finished", "aborted": "aborted",
               "cancelled": "cancelled", "failed": "failed"}
HISTORY = 240  # occupancy samples kept for the gauge's history


@dataclass
class Worker:
    """One producer or consumer pane."""

    name: str
    state: str = "starting"  # producers: waiting-id, making, blocked; consumers: waiting, consuming, ready; exited
    number: int | None = None  # the widget in hand
    broken: bool = False  # the widget in hand is the broken one
    over: bool = False  # the widget in hand was made after the stop signal
    count: int = 0  # widgets made or consumed
    found_broken: int | None = None  # consumers: the broken widget it found
    made_broken: int | None = None  # producers: the broken widget it made
    reason: str | None = None  # producers: why it exited

    @property
    def index(self) -> int:
        return int(self.name.rsplit("_", 1)[1])


@dataclass
class RunState:
    config: dict[str, Any] | None = None
    phase: str = "idle"
    seq: int = 0
    t: float = 0.0
    producers: dict[str, Worker] = field(default_factory=dict)
    consumers: dict[str, Worker] = field(default_factory=dict)
    buffer: deque = field(default_factory=deque)  # numbers in the buffer, oldest first
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    produced: int = 0
    consumed: int = 0
    discarded: int = 0
    abandoned: int = 0
    after_stop: int = 0
    after_broken: int = 0
    broken: int | None = None  # number of the broken widget once found
    broken_by: str | None = None
    stopped: bool = False
    id_channel_closed: bool = False
    over: set = field(default_factory=set)  # over-produced widgets still in flight
    summary: dict[str, Any] | None = None
    broken_in_buffer: bool = False
    ids_in_channel: int = 0  # the ID channel's occupancy, as of the last take
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    insights: Insights = field(default_factory=Insights)
    buffer_len: int | None = None  # set only on snapshots, whose buffer is cut short

    # -- derived ---------------------------------------------------------------
    @property
    def k(self) -> int:
        return self.config["k"] if self.config else -1

    @property
    def capacity(self) -> int:
        return self.config["buffer"] if self.config else 0

    @property
    def occupancy(self) -> int:
        return self.buffer_len if self.buffer_len is not None else len(self.buffer)

    @property
    def finished(self) -> bool:
        return self.summary is not None

    def snapshot(self, buffer_head: int = 512) -> "RunState":
        """A copy for a view to read while the fold goes on in another thread.
        Its buffer keeps only the oldest `buffer_head` numbers (what a gauge can
        draw); `occupancy` still tells the whole count."""
        copy = RunState.__new__(RunState)
        copy.__dict__.update(self.__dict__)
        copy.producers = {name: Worker(**vars(w)) for name, w in self.producers.items()}
        copy.consumers = {name: Worker(**vars(w)) for name, w in self.consumers.items()}
        copy.buffer_len = len(self.buffer)
        copy.buffer = deque(islice(self.buffer, buffer_head))
        copy.history = deque(self.history, maxlen=HISTORY)
        copy.over = set(self.over)
        copy.latency = self.latency.copy()
        copy.insights = self.insights.copy(with_contents=False)
        copy.config = dict(self.config) if self.config else None
        copy.summary = dict(self.summary) if self.summary else None
        return copy

    # -- the fold ----------------------------------------------------------------
    def apply(self, event: dict[str, Any]) -> str | None:
        """Fold one event in; return its line for the widget log, if it has one."""
        entry = self.apply_entry(event)
        return entry if entry is None or type(entry) is str else render(entry)

    def apply_entry(self, event: dict[str, Any]) -> LogEntry | None:
        """Fold one event in; return its log entry unformatted. Under a flood most
        lines are never shown, so the per-widget lines are formatted only by
        `render`, for the lines a screen will actually show."""
        self.seq = event["seq"]
        self.t = event["t"]
        handler = _HANDLERS.get(event["type"])
        if handler is None:
            return None
        return handler(self, event)

    def apply_all(self, events: Iterable[dict[str, Any]]) -> list[str]:
        lines = []
        for event in events:
            line = self.apply(event)
            if line is not None:
                lines.append(line)
        return lines

    # handlers: one per event type -------------------------------------------
    def _run_started(self, e):
        self.__init__()  # a new run starts from nothing
        self.seq, self.t = e["seq"], e["t"]
        self.config = dict(e["config"])
        self.phase = "running"
        self.history.append(0)
        c = self.config
        return _line(e, "run", f"started: n={c['n']} p={c['p']} c={c['c']} k={c['k']} "
                               f"buffer={c['buffer']} id-buffer={c['id_buffer']} stop={c['stop']}")

    def _producer_started(self, e):
        self.producers[e["producer"]] = Worker(e["producer"], state="waiting-id")

    def _consumer_started(self, e):
        self.consumers[e["consumer"]] = Worker(e["consumer"], state="ready")

    def _widget_started(self, e):
        w = self._producer(e)
        w.state, w.number = "making", e["number"]
        w.broken = e["number"] == self.k
        w.over = self.stopped
        self.ids_in_channel = e.get("ids", 0)

    def _producer_blocked(self, e):
        w = self._producer(e)
        w.state, w.number = "blocked", e["number"]

    def _widget_produced(self, e):
        number = e["number"]
        w = self._producer(e)
        w.state, w.number, w.broken, w.over = "waiting-id", None, False, False
        w.count += 1
        self.produced += 1
        self.buffer.append(number)
        self.history.append(len(self.buffer))
        self.insights.put(e["t"], number, len(self.buffer))
        over = False
        if e["broken"]:
            w.made_broken = number
            self.broken_in_buffer = True
        if number > self.k > 0:
            self.after_broken += 1
        if self.stopped:
            self.after_stop += 1
            self.over.add(number)
            over = True
        return (_made_line, e, over, self.capacity)

    def _consumer_waiting(self, e):
        w = self._consumer(e)
        w.state, w.number = "waiting", None

    def _widget_taken(self, e):
        number = e["number"]
        if self.buffer and self.buffer[0] == number:
            self.buffer.popleft()
        elif number in self.buffer:  # a trace that was not FIFO: still show it right
            self.buffer.remove(number)
        self.history.append(len(self.buffer))
        self.insights.left(e["t"], number, len(self.buffer))
        w = self._consumer(e)
        w.state, w.number = "consuming", number
        w.broken = number == self.k
        if w.broken:
            self.broken_in_buffer = False
        w.over = number in self.over

    def _widget_consumed(self, e):
        number = e["number"]
        w = self._consumer(e)
        w.state, w.number, w.broken, w.over = "ready", None, False, False
        w.count += 1
        self.consumed += 1
        self.latency.add(e["latency_s"])
        self.insights.consumed(e["t"])
        over = number in self.over
        if over:
            self.over.discard(number)
        return (_consumed_line, e, over, None)

    def _broken_found(self, e):
        self.broken, self.broken_by = e["number"], e["consumer"]
        self._consumer(e).found_broken = e["number"]
        return _line(e, e["consumer"], f"found the BROKEN widget #{e['number']}")

    def _stop_signalled(self, e):
        self.stopped = True
        if self.phase == "running":
            self.phase = "stopping"
        who = e.get("consumer") or "interrupt"
        return _line(e, who, "stop signal sent: production stops")

    def _id_channel_closed(self, e):
        self.id_channel_closed = True
        pending = e.get("pending", 0)
        self.ids_in_channel = pending
        note = f" ({pending} numbers still in it will be made)" if pending else ""
        return _line(e, "id_generator", "ID channel closed" + note)

    def _producer_exited(self, e):
        w = self._producer(e)
        w.state, w.number, w.broken, w.over = "exited", None, False, False
        w.reason = e.get("reason")
        return _line(e, e["producer"], f"exited ({w.reason})")

    def _buffer_closed(self, e):
        if self.phase in ("running", "stopping"):
            self.phase = "draining"
        if self.config and self.config["stop"] == "abort" and self.broken is not None:
            return _line(e, "buffer", "closed")
        left = len(self.buffer)
        return _line(e, "buffer", f"closed: consumers drain the {left} left" if left else "closed (empty)")

    def _widget_discarded(self, e):
        number = e["number"]
        where = "buffer"
        if self.buffer and self.buffer[0] == number:  # discards come oldest first
            self.buffer.popleft()
            self.history.append(len(self.buffer))
            self.insights.left(e["t"], number, len(self.buffer))
        elif number in self.buffer:
            self.buffer.remove(number)
            self.history.append(len(self.buffer))
            self.insights.left(e["t"], number, len(self.buffer))
        else:
            for w in self.consumers.values():  # discarded from a consumer's hands
                if w.number == number:
                    where = w.name
                    w.state, w.number, w.broken, w.over = "ready", None, False, False
        self.over.discard(number)
        self.discarded += 1
        if number == self.k:
            self.broken_in_buffer = False
        tag = " BROKEN" if number == self.k else ""
        place = "from the buffer" if where == "buffer" else "from its hands"
        return _line(e, where, f"DISCARDED #{number}{tag} {place}")

    def _widget_abandoned(self, e):
        self.abandoned += 1
        w = self._producer(e)
        w.number, w.broken, w.over = None, False, False
        return _line(e, e["producer"], f"abandoned #{e['number']} (never put in the buffer)")

    def _consumer_exited(self, e):
        w = self._consumer(e)
        w.state, w.number, w.broken, w.over = "exited", None, False, False
        return _line(e, e["consumer"], "exited")

    def _run_finished(self, e):
        self.summary = dict(e["summary"])
        self.phase = FINAL_PHASE.get(self.summary.get("outcome"), "finished")
        s = self.summary
        return _line(e, "run", f"finished: {s.get('outcome')} produced={s.get('produced')} "
                               f"consumed={s.get('consumed')} discarded={s.get('discarded')}")

    def _producer(self, e) -> Worker:
        name = e["producer"]
        w = self.producers.get(name)
        if w is None:
            w = self.producers[name] = Worker(name)
        return w

    def _consumer(self, e) -> Worker:
        name = e["consumer"]
        w = self.consumers.get(name)
        if w is None:
            w = self.consumers[name] = Worker(name)
        return w


# One handler per event type, named after it; a type without one fails here, at import.
_HANDLERS: dict[str, Callable[[RunState, dict], str | None]] = {
    kind: getattr(RunState, "_" + kind) for kind in EVENT_TYPES
}


LogEntry = Any  # a formatted line (str), or (formatter, event, over, capacity) to format later


def render(entry: LogEntry) -> str:
    """The text of a log entry."""
    if type(entry) is str:
        return entry
    formatter, event, over, capacity = entry
    return formatter(event, over, capacity)


def _made_line(e: dict[str, Any], over: bool, capacity: int) -> str:
    tags = (" BROKEN" if e["broken"] else "") + (" over-production" if over else "")
    return _line(e, e["producer"], f"made     #{e['number']:<6}{tags} buffer {e['buffer']}/{capacity}")


def _consumed_line(e: dict[str, Any], over: bool, _capacity: None) -> str:
    tags = (" BROKEN" if e["broken"] else "") + (" over-production" if over else "")
    return _line(e, e["consumer"], f"consumed #{e['number']:<6}{tags} from {e['producer']} "
                                   f"after {brief_duration(e['latency_s'])}")


def _line(event: dict[str, Any], who: str, what: str) -> str:
    return f"{event['t']:9.3f}s  {who:<12} {what}"


def fold(events: Iterable[dict[str, Any]]) -> RunState:
    state = RunState()
    state.apply_all(events)
    return state


def format_duration(seconds: float) -> str:
    """A duration in Go's time.Duration style: 850ns, 23.702µs, 1.5ms, 2.1s, 1m2.5s."""
    ns = int(round(seconds * 1e9))
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000:
        return f"{sign}{ns}ns"
    if ns < 1_000_000:
        return sign + _trim(ns, 1_000) + "µs"
    if ns < 1_000_000_000:
        return sign + _trim(ns, 1_000_000) + "ms"
    minutes, rest = divmod(ns, 60_000_000_000)
    hours, minutes = divmod(minutes, 60)
    text = _trim(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def brief_duration(seconds: float) -> str:
    """format_duration rounded to 3 significant digits, for tables: 6.61ms."""
    if seconds <= 0:
        return format_duration(seconds)
    digits = 3 - int(math.floor(math.log10(seconds * 1e9))) - 1
    ns = round(seconds * 1e9, min(0, digits))
    return format_duration(ns / 1e9)


def _trim(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}.{frac:0{digits}d}".rstrip("0")
