"""The headless views of the event stream: the original exercise's text lines
and the one-line summary. Pure functions of events."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any, Callable, TextIO

from .model import format_duration

Event = dict[str, Any]


_clock_cache: dict[int, str] = {}


def clock_time(epoch: float) -> str:
    """Local time of day, HH:MM:SS.ffffff; the HH:MM:SS part is computed once a second."""
    second = int(epoch)
    hms = _clock_cache.get(second)
    if hms is None:
        if len(_clock_cache) > 64:
            _clock_cache.clear()
        hms = _clock_cache[second] = datetime.fromtimestamp(second).strftime("%H:%M:%S")
    return f"{hms}.{int((epoch - second) * 1e6):06d}"


def consumption_line(event: Event, wall0: float) -> str:
    """`consumer_2 consumes [id=7 source=producer_1 time=14:03:27.123456 broken=false] in 23.702µs time`"""
    latency = event["latency_s"]
    created = clock_time(wall0 + event["t"] - latency)
    widget = (f"[id={event['number']} source={event['producer']} time={created} "
              f"broken={'true' if event['broken'] else 'false'}]")
    if event["broken"]:
        return f"{event['consumer']} found a broken widget {widget} -- stopping production"
    return f"{event['consumer']} consumes {widget} in {format_duration(latency)} time"


def summary_line(summary: dict[str, Any], stop: str, seed: int | None = None) -> str:
    broken = summary.get("broken")
    return (
        f"summary: produced={summary['produced']} consumed={summary['consumed']} "
        f"discarded={summary['discarded']} broken={'none' if broken is None else broken} "
        f"after_broken={summary['after_broken']} after_stop={summary['after_stop']} "
        f"stop={stop} outcome={summary['outcome']} elapsed={summary['elapsed_s']:.4f}s"
        + _rates(summary)
        + ("" if seed is None else f" seed={seed}")
    )


def _rates(summary: dict[str, Any]) -> str:
    """Throughput and creation-to-consumption latency, when there were widgets."""
    rate = summary.get("throughput_per_s")
    if not rate or summary.get("latency_p50_s") is None:
        return ""
    return (f" widgets_per_s={rate:.0f} latency_p50={format_duration(summary['latency_p50_s'])}"
            f" latency_p95={format_duration(summary['latency_p95_s'])}"
            f" latency_max={format_duration(summary['latency_max_s'])}")


def event_json(event: Event) -> str:
    return json.dumps(event, separators=(", ", ": "), ensure_ascii=False)


class BatchedWriter:
    """A listener that writes formatted events from its own thread.

    Formatting a line takes longer than making a widget, and a listener runs
    while the engine's Recorder holds its lock: formatting there makes every
    engine thread queue behind the lock. So the listener only appends the
    event (in seq order, under that lock); a writer thread formats and writes
    in batches. If the writer falls far behind, the listener formats inline,
    which slows the engine down to the speed of the output instead of growing
    memory without bound.
    """

    BACKLOG = 100_000

    def __init__(self, out: TextIO, format_event: Callable[[Event], str | None],
                 wants: frozenset[str] | None = None):
        self.out = out
        self.format_event = format_event
        if wants is not None:
            self.wants = wants
        self._pending: list[Event] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._drain, name="output-writer", daemon=True)
        self._thread.start()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._pending.append(event)
            behind = len(self._pending) > self.BACKLOG
        if behind:
            self._write_pending()
        elif event["type"] == "run_finished":
            self._wake.set()

    def _write_pending(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            fmt = self.format_event
            lines = [line for line in map(fmt, batch) if line is not None]
            if lines:
                self.out.write("\n".join(lines) + "\n")

    def _drain(self) -> None:
        while not self._closing:
            self._wake.wait(0.02)
            self._wake.clear()
            self._write_pending()

    def close(self) -> None:
        """Write what is left and stop the writer thread."""
        self._closing = True
        self._wake.set()
        self._thread.join()
        self._write_pending()


def text_writer(out: TextIO) -> BatchedWriter:
    """One line per consumed widget."""
    state = {"wall0": 0.0}

    def line(event: Event) -> str | None:
        kind = event["type"]
        if kind == "widget_consumed":
            return consumption_line(event, state["wall0"])
        if kind == "run_started":
            state["wall0"] = event.get("wall_time") or 0.0
        return None

    return BatchedWriter(out, line, wants=frozenset({"run_started", "widget_consumed"}))


def jsonl_writer(out: TextIO) -> BatchedWriter:
    """Every event as one JSON object per line."""
    return BatchedWriter(out, event_json)


def fan_out(*listeners: Callable[[Event], None] | None) -> Callable[[Event], None] | None:
    """One listener calling several (or None when nobody listens: the fast path)."""
    active = [listener for listener in listeners if listener is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]

    def listen(event: Event) -> None:
        for listener in active:
            listener(event)

    wanted = [getattr(listener, "wants", None) for listener in active]
    if all(w is not None for w in wanted):  # hear only what someone wants
        listen.wants = frozenset().union(*wanted)  # type: ignore[attr-defined]
    return listen
