"""The headless views of the event stream: the original exercise's text lines
and the one-line summary. Pure functions of events."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, TextIO

from .model import format_duration

Event = dict[str, Any]


def consumption_line(event: Event, wall0: float) -> str:
    """`consumer_2 consumes [id=7 source=producer_1 time=14:03:27.123456 broken=false] in 23.702µs time`"""
    latency = event["latency_s"]
    created = datetime.fromtimestamp(wall0 + event["t"] - latency).strftime("%H:%M:%S.%f")
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


def text_writer(out: TextIO) -> Callable[[Event], None]:
    """A listener printing one line per consumed widget."""
    wall0 = 0.0
    write = out.write

    def listen(event: Event) -> None:
        nonlocal wall0
        kind = event["type"]
        if kind == "widget_consumed":
            write(consumption_line(event, wall0) + "\n")
        elif kind == "run_started":
            wall0 = event.get("wall_time") or 0.0

    return listen


def jsonl_writer(out: TextIO) -> Callable[[Event], None]:
    """A listener printing every event as one JSON object per line."""
    write = out.write

    def listen(event: Event) -> None:
        write(event_json(event) + "\n")

    return listen


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

    return listen
