"""The event stream: the engine's whole output.

Every event is a plain dict ``{"seq", "t", "type", ...fields}`` (SPEC section 3),
so it is already JSON and needs no conversion for the recorder, the text log,
the model or a replayed trace.

`Recorder` is the one place where ``seq`` and ``t`` are assigned. It holds a
lock while it numbers an event and hands it to the listener, so listeners see
events in seq order and ``t`` never decreases. The engine calls it from inside
its own critical sections (the buffer's lock, the ID channel's lock), so the
order of events is the order in which things really happened: a widget is never
taken before the event that says it was put.

It also keeps the run's tallies (produced, consumed, after_stop, ...), counted
at the moment each event is numbered: "after the stop signal" means "after it
in seq order", exactly as a reader of the stream would count it.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from .stats import LatencyHistogram

Event = dict  # {"seq": int, "t": float, "type": str, ...}
Listener = Callable[[Event], None]

EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "run_started": ("config",),
    "producer_started": ("producer",),
    "consumer_started": ("consumer",),
    "widget_started": ("producer", "number"),
    "producer_blocked": ("producer", "number"),
    "widget_produced": ("producer", "number", "broken", "buffer"),
    "consumer_waiting": ("consumer",),
    "widget_taken": ("consumer", "number", "buffer"),
    "widget_consumed": ("consumer", "number", "producer", "broken", "latency_s"),
    "broken_found": ("consumer", "number"),
    "stop_signalled": ("consumer",),
    "id_channel_closed": (),
    "producer_exited": ("producer", "reason"),
    "buffer_closed": (),
    "widget_discarded": ("number",),
    # Not in SPEC's table: a number taken from the ID channel that never became
    # a widget (strict's stop check, abort, cancel). It explains every gap.
    "widget_abandoned": ("producer", "number"),
    "consumer_exited": ("consumer",),
    "run_finished": ("summary",),
}
EVENT_TYPES = frozenset(EVENT_FIELDS)
OUTCOMES = ("completed", "stopped", "aborted", "cancelled", "failed")


class Recorder:
    """Numbers events, delivers them to one listener, keeps the tallies."""

    def __init__(self, k: int, listener: Listener | None = None, clock: Callable[[], float] = time.perf_counter):
        self.lock = threading.Lock()
        self._clock = clock
        self._t0 = clock()
        self._k = k
        self.listener = listener
        self.seq = 0
        # tallies, updated under self.lock in seq order
        self.produced = 0
        self.consumed = 0
        self.discarded = 0
        self.after_stop = 0
        self.after_broken = 0
        self.broken: int | None = None
        self.stop_signalled = False
        self.last_t = 0.0
        self.latency = LatencyHistogram()
        self.listener_error: BaseException | None = None
        self.on_listener_error: Callable[[BaseException], None] | None = None

    @property
    def listener(self) -> Listener | None:
        return self._listener

    @listener.setter
    def listener(self, listener: Listener | None) -> None:
        """A listener may say which event types it wants (a `wants` attribute);
        no event dict is built for the others: the text log needs one event
        per widget, not six."""
        self._listener = listener
        wants = getattr(listener, "wants", None)
        self._hear = {kind: listener is not None and (wants is None or kind in wants) for kind in EVENT_FIELDS}

    def _notify(self, event: Event) -> None:
        """Hand one event to the listener. A listener that raises is detached
        (it hears nothing more) and reported through `on_listener_error`; the
        engine's own state stays consistent because nothing is unwound."""
        try:
            self._listener(event)  # type: ignore[misc]
        except BaseException as exc:  # noqa: BLE001 - reported, never swallowed silently
            self.listener = None
            self.listener_error = exc
            if self.on_listener_error is not None:
                self.on_listener_error(exc)

    def start_clock(self) -> None:
        """t = 0 is the moment the run starts."""
        self._t0 = self._clock()
        self.last_t = 0.0

    def now(self) -> float:
        return self._clock() - self._t0

    # -- the one place seq and t are assigned -------------------------------
    def _stamp(self) -> float:
        """Number the next event and return its t; call with self.lock held."""
        self.seq += 1
        t = self._clock() - self._t0
        if t < self.last_t:  # a clock that steps back must not break the order
            t = self.last_t
        self.last_t = t
        return t

    def _deliver(self, type_: str, fields: dict[str, Any]) -> float:
        """Number one event and hand it to the listener; call with self.lock held."""
        t = self._stamp()
        if self._hear.get(type_, self._listener is not None):
            event = {"seq": self.seq, "t": t, "type": type_}
            event.update(fields)
            self._notify(event)
        return t

    def emit(self, type_: str, **fields: Any) -> None:
        with self.lock:
            self._deliver(type_, fields)

    # -- the per-widget events: no dict is built when nobody listens ----------
    def widget_started(self, producer: str, number: int, ids: int) -> None:
        if not self._hear["widget_started"]:  # nobody listens: no seq to keep, no tally moves
            return
        with self.lock:
            t = self._stamp()
            if self._hear["widget_started"]:
                self._notify({"seq": self.seq, "t": t, "type": "widget_started",
                               "producer": producer, "number": number, "ids": ids})

    def producer_blocked(self, producer: str, number: int) -> None:
        if not self._hear["producer_blocked"]:  # nobody listens: no seq to keep, no tally moves
            return
        with self.lock:
            t = self._stamp()
            if self._hear["producer_blocked"]:
                self._notify({"seq": self.seq, "t": t, "type": "producer_blocked",
                               "producer": producer, "number": number})

    def consumer_waiting(self, consumer: str) -> None:
        if not self._hear["consumer_waiting"]:  # nobody listens: no seq to keep, no tally moves
            return
        with self.lock:
            t = self._stamp()
            if self._hear["consumer_waiting"]:
                self._notify({"seq": self.seq, "t": t, "type": "consumer_waiting", "consumer": consumer})

    def widget_taken(self, consumer: str, number: int, occupancy: int) -> None:
        if not self._hear["widget_taken"]:  # nobody listens: no seq to keep, no tally moves
            return
        with self.lock:
            t = self._stamp()
            if self._hear["widget_taken"]:
                self._notify({"seq": self.seq, "t": t, "type": "widget_taken",
                               "consumer": consumer, "number": number, "buffer": occupancy})

    # -- events that move tallies -------------------------------------------
    def widget_produced(self, producer: str, number: int, broken: bool, occupancy: int) -> float:
        """Returns t of the event: the widget's creation time on the run clock.
        Called with the buffer's lock held, so puts are already serialised:
        when nobody listens the tallies need no lock of their own."""
        if self._listener is None:
            self.produced += 1
            if self.stop_signalled:
                self.after_stop += 1
            if number > self._k > 0:
                self.after_broken += 1
            return self._clock() - self._t0
        with self.lock:
            self.produced += 1
            if self.stop_signalled:
                self.after_stop += 1
            if number > self._k > 0:
                self.after_broken += 1
            t = self._stamp()
            if self._hear["widget_produced"]:
                self._notify(
                    {"seq": self.seq, "t": t, "type": "widget_produced",
                     "producer": producer, "number": number, "broken": broken, "buffer": occupancy}
                )
            return t

    def widget_consumed(self, consumer: str, number: int, producer: str, broken: bool, made_t: float) -> None:
        with self.lock:
            self.consumed += 1
            t = self._stamp()
            self.latency.add(t - made_t)
            if self._hear["widget_consumed"]:
                self._notify(
                    {"seq": self.seq, "t": t, "type": "widget_consumed", "consumer": consumer,
                     "number": number, "producer": producer, "broken": broken,
                     "latency_s": t - made_t}
                )

    def widget_discarded(self, number: int) -> None:
        with self.lock:
            self.discarded += 1
            self._deliver("widget_discarded", {"number": number})

    def broken_found(self, consumer: str, number: int) -> None:
        with self.lock:
            self.broken = number
            self._deliver("broken_found", {"consumer": consumer, "number": number})

    def stop(self, consumer: str | None, **extra: Any) -> None:
        with self.lock:
            self.stop_signalled = True
            self._deliver("stop_signalled", {"consumer": consumer, **extra})

    def summary(self, outcome: str, elapsed_s: float) -> dict[str, Any]:
        return {
            "produced": self.produced,
            "consumed": self.consumed,
            "discarded": self.discarded,
            "broken": self.broken,
            "after_broken": self.after_broken,
            "after_stop": self.after_stop,
            "elapsed_s": elapsed_s,
            "outcome": outcome,
            "throughput_per_s": self.consumed / elapsed_s if elapsed_s > 0 else None,
            **self.latency.summary(),
        }
