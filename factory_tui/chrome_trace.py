"""A factory-tui event stream -> the Chrome Trace Event Format.

The result is the JSON *object* format (``{"traceEvents": [...],
"displayTimeUnit": ..., "otherData": {...}}``) that Perfetto
(https://ui.perfetto.dev) and ``chrome://tracing`` open. Pure: no Textual, no
threads, no clock; the same events always give the same trace.

What a run becomes (one process, pid 1, named after the run's settings):

- **lanes** (``tid``): the ID generator (tid 1), then each producer, then each
  consumer, in number order; each named by a ``thread_name`` metadata event
  and ordered by ``thread_sort_index``. Workers are taken from the config
  (``producer_1..p``, ``consumer_1..c``) and from any name the events mention.
- **slices** (``ph: "X"``, ``ts``/``dur`` in microseconds of the run clock):

  ========================  =============================  ==========================
  cat                       from -> to                     lane
  ========================  =============================  ==========================
  ``produce``               widget_started -> _produced    the producer
  ``blocked``               producer_blocked -> _produced  the producer (nested)
  ``produce.abandoned``     widget_started -> _abandoned   the producer
  ``consume``               widget_taken -> _consumed      the consumer
  ``consume.discarded``     widget_taken -> _discarded     the consumer (abort)
  ``waiting``               consumer_waiting -> next take  the consumer
  ``ids``                   run_started -> id_channel_closed  the ID generator
  ========================  =============================  ==========================

  ``produce`` and ``consume`` slices carry ``args`` ``number`` and ``broken``
  (and more: ``blocked_us``, ``after_stop``, ``latency_s``, ``producer``).
- **counters** (``ph: "C"``): ``buffer`` (``occupancy``, from the ``buffer``
  field of widget_produced / widget_taken, and one less after each
  widget_discarded of a widget that was still in the buffer) and ``id channel``
  (``held``, from widget_started's ``ids`` and id_channel_closed's ``pending``).
- **instants** (``ph: "i"`` with a scope ``s``): broken_found (thread),
  stop_signalled (global), buffer_closed (process), id_channel_closed (thread,
  the generator's lane), widget_discarded (process), widget_abandoned (thread),
  producer_exited / consumer_exited (thread), run_finished (global).

A trace cut short (no ``run_finished``: a recording interrupted, a prefix) is
converted as far as it goes: every slice still open is **closed at the last
timestamp of the stream** and marked ``args.unfinished = true`` (its name ends
in ``(unfinished)``, its cat in ``.unfinished``), so nothing the stream shows
is dropped. A failed or cancelled run is converted the same way; its
``widget_abandoned`` events close their producer's slice as
``produce.abandoned``. An event of a type this module does not know is ignored.

``traceEvents`` is sorted: metadata first, then by ``ts`` (longer slices
before the slices they contain). ``displayTimeUnit`` is ``"ns"`` for runs
shorter than 10 ms (headless runs), else ``"ms"``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable

PID = 1
GENERATOR_TID = 1
GENERATOR_NAME = "id_generator"

_INDEX = re.compile(r"_(\d+)$")


def _us(t: Any) -> float:
    """Seconds of the run clock -> microseconds, to the nanosecond."""
    try:
        value = float(t)
    except (TypeError, ValueError):
        return 0.0
    if value != value or value < 0:  # NaN or negative: clamp, a trace never goes before 0
        return 0.0
    return round(value * 1e6, 3)


def _finite(value: Any) -> Any:
    """A copy with every NaN or infinity replaced by None: the output is strict JSON."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _worker_key(name: str) -> tuple[int, str]:
    match = _INDEX.search(name)
    return (int(match.group(1)) if match else 1 << 62, name)


class _Builder:
    def __init__(self) -> None:
        self.out: list[dict[str, Any]] = []
        self.tids: dict[str, int] = {}

    def tid(self, worker: str | None) -> int:
        if worker is None:
            return GENERATOR_TID
        return self.tids.get(worker, GENERATOR_TID)

    def slice(self, name: str, cat: str, tid: int, start: float, end: float, args: dict[str, Any]) -> None:
        dur = round(max(0.0, end - start), 3)
        self.out.append({"name": name, "cat": cat, "ph": "X", "ts": start, "dur": dur,
                         "pid": PID, "tid": tid, "args": args})

    def instant(self, name: str, cat: str, tid: int, ts: float, scope: str, args: dict[str, Any]) -> None:
        self.out.append({"name": name, "cat": cat, "ph": "i", "s": scope, "ts": ts,
                         "pid": PID, "tid": tid, "args": args})

    def counter(self, name: str, ts: float, series: str, value: int) -> None:
        self.out.append({"name": name, "cat": "counter", "ph": "C", "ts": ts,
                         "pid": PID, "tid": GENERATOR_TID, "args": {series: value}})


def _ordered(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    listed = [e for e in events if isinstance(e, dict) and isinstance(e.get("type"), str)]
    if all(isinstance(e.get("seq"), int) for e in listed):
        listed.sort(key=lambda e: e["seq"])
    return listed


def chrome_trace(events: list[dict]) -> dict:
    """Convert a factory-tui event stream into a Chrome Trace Event Format object.

    `events` is a list of event dicts (``seq``, ``t``, ``type``, fields), as the
    engine emits them or `factory_tui.trace.load_trace` returns them; a prefix
    of a stream is accepted too. Returns a JSON-serialisable dict.
    """
    stream = _ordered(events)
    b = _Builder()

    config: dict[str, Any] = {}
    summary: dict[str, Any] | None = None
    for e in stream:
        if e["type"] == "run_started" and isinstance(e.get("config"), dict):
            config = _finite(e["config"])
            break

    # -- lanes ---------------------------------------------------------------
    producers: set[str] = set()
    consumers: set[str] = set()
    p = config.get("p") if isinstance(config.get("p"), int) else 0
    c = config.get("c") if isinstance(config.get("c"), int) else 0
    producers.update(f"producer_{i}" for i in range(1, p + 1))
    consumers.update(f"consumer_{i}" for i in range(1, c + 1))
    for e in stream:
        if isinstance(e.get("producer"), str) and e["type"] != "widget_consumed":
            producers.add(e["producer"])
        if isinstance(e.get("consumer"), str):
            consumers.add(e["consumer"])
    lanes = [GENERATOR_NAME, *sorted(producers, key=_worker_key), *sorted(consumers, key=_worker_key)]
    for index, name in enumerate(lanes):
        tid = GENERATOR_TID + index
        b.tids[name] = tid
        b.out.append({"name": "thread_name", "ph": "M", "pid": PID, "tid": tid, "args": {"name": name}})
        b.out.append({"name": "thread_sort_index", "ph": "M", "pid": PID, "tid": tid,
                      "args": {"sort_index": index}})
    title = "factory-tui"
    if config:
        title += " " + " ".join(f"{key}={config[key]}" for key in ("n", "p", "c", "k", "buffer", "id_buffer", "stop")
                                if key in config)
    b.out.append({"name": "process_name", "ph": "M", "pid": PID, "tid": 0, "args": {"name": title}})

    # -- the fold ------------------------------------------------------------
    making: dict[str, dict[str, Any]] = {}  # producer -> {number, start, blocked}
    consuming: dict[str, dict[str, Any]] = {}  # consumer -> {number, start}
    holder: dict[int, str] = {}  # number in a consumer's hands -> consumer
    waiting: dict[str, float] = {}  # consumer -> waiting since
    in_buffer: set[int] = set()
    occupancy = 0
    stop_seen = False
    ids_start: float | None = None
    ids_closed = False
    handed_out = 0
    last = 0.0

    def close_wait(consumer: str, ts: float) -> None:
        since = waiting.pop(consumer, None)
        if since is not None:
            b.slice("waiting (buffer empty)", "waiting", b.tid(consumer), since, ts, {})

    def close_make(producer: str, ts: float, cat: str, name: str, extra: dict[str, Any]) -> None:
        open_ = making.pop(producer, None)
        if open_ is None:
            return
        tid = b.tid(producer)
        blocked = open_["blocked"]
        args: dict[str, Any] = {"number": open_["number"], **extra}
        if blocked is not None:
            args["blocked_us"] = round(max(0.0, ts - blocked), 3)
        b.slice(name, cat, tid, open_["start"], ts, args)
        if blocked is not None:
            b.slice("blocked (buffer full)", "blocked", tid, blocked, ts, {"number": open_["number"]})

    for e in stream:
        kind = e["type"]
        ts = max(_us(e.get("t")), last)  # t never decreases; hold to that even for a bad trace
        last = ts
        producer = e.get("producer") if isinstance(e.get("producer"), str) else None
        consumer = e.get("consumer") if isinstance(e.get("consumer"), str) else None
        number = e.get("number")

        if kind == "run_started":
            ids_start = ts
            b.counter("buffer", ts, "occupancy", 0)
        elif kind == "widget_started" and producer is not None:
            if ids_start is None:
                ids_start = ts
            handed_out += 1
            making[producer] = {"number": number, "start": ts, "blocked": None}
            if isinstance(e.get("ids"), int):
                b.counter("id channel", ts, "held", e["ids"])
        elif kind == "producer_blocked" and producer is not None:
            open_ = making.get(producer)
            if open_ is not None and open_["blocked"] is None:
                open_["blocked"] = ts
        elif kind == "widget_produced" and producer is not None:
            broken = bool(e.get("broken"))
            close_make(producer, ts, "produce", f"make #{number}" + (" BROKEN" if broken else ""),
                       {"broken": broken, "after_stop": stop_seen})
            if isinstance(number, int):
                in_buffer.add(number)
            if isinstance(e.get("buffer"), int):
                occupancy = e["buffer"]
                b.counter("buffer", ts, "occupancy", occupancy)
        elif kind == "widget_abandoned" and producer is not None:
            close_make(producer, ts, "produce.abandoned", f"abandon #{number}", {"broken": False, "abandoned": True})
            b.instant(f"abandoned #{number}", "abandoned", b.tid(producer), ts, "t", {"number": number})
        elif kind == "consumer_waiting" and consumer is not None:
            waiting.setdefault(consumer, ts)
        elif kind == "widget_taken" and consumer is not None:
            close_wait(consumer, ts)
            consuming[consumer] = {"number": number, "start": ts}
            if isinstance(number, int):
                in_buffer.discard(number)
                holder[number] = consumer
            if isinstance(e.get("buffer"), int):
                occupancy = e["buffer"]
                b.counter("buffer", ts, "occupancy", occupancy)
        elif kind == "widget_consumed" and consumer is not None:
            open_ = consuming.pop(consumer, None)
            holder.pop(number, None)  # type: ignore[arg-type]
            broken = bool(e.get("broken"))
            start = open_["start"] if open_ is not None else ts
            args = {"number": number, "broken": broken, "producer": e.get("producer"),
                    "latency_s": _finite(e.get("latency_s"))}
            b.slice(f"consume #{number}" + (" BROKEN" if broken else ""), "consume", b.tid(consumer), start, ts, args)
        elif kind == "widget_discarded":
            in_hands = holder.pop(number, None) if isinstance(number, int) else None
            if in_hands is not None:
                open_ = consuming.pop(in_hands, None)
                if open_ is not None:
                    b.slice(f"discard #{number}", "consume.discarded", b.tid(in_hands), open_["start"], ts,
                            {"number": number, "broken": False, "discarded": True})
            elif isinstance(number, int) and number in in_buffer:
                in_buffer.discard(number)
                occupancy = max(0, occupancy - 1)
                b.counter("buffer", ts, "occupancy", occupancy)
            b.instant(f"discarded #{number}", "discard", b.tid(in_hands), ts, "p",
                      {"number": number, "from": "consumer" if in_hands else "buffer"})
        elif kind == "broken_found":
            b.instant(f"broken found #{number}", "broken", b.tid(consumer), ts, "t", {"number": number})
        elif kind == "stop_signalled":
            stop_seen = True
            b.instant("stop signalled", "shutdown", b.tid(consumer), ts, "g",
                      {"consumer": consumer, "reason": e.get("reason")})
        elif kind == "id_channel_closed":
            pending = e.get("pending")
            if isinstance(pending, int):
                b.counter("id channel", ts, "held", pending)
            if not ids_closed:
                ids_closed = True
                b.slice("serving IDs", "ids", GENERATOR_TID, ids_start if ids_start is not None else ts, ts,
                        {"handed_out": handed_out, "pending": pending})
            b.instant("ID channel closed", "shutdown", GENERATOR_TID, ts, "t", {"pending": pending})
        elif kind == "buffer_closed":
            b.instant("buffer closed", "shutdown", GENERATOR_TID, ts, "p", {"occupancy": occupancy})
        elif kind == "producer_exited" and producer is not None:
            b.instant(f"exited ({e.get('reason')})", "exit", b.tid(producer), ts, "t", {"reason": e.get("reason")})
        elif kind == "consumer_exited" and consumer is not None:
            close_wait(consumer, ts)
            b.instant("exited", "exit", b.tid(consumer), ts, "t", {})
        elif kind == "run_finished":
            summary = _finite(e["summary"]) if isinstance(e.get("summary"), dict) else None
            b.instant(f"run finished ({(summary or {}).get('outcome')})", "run", GENERATOR_TID, ts, "g",
                      {"summary": summary})

    # -- whatever is still open: closed at the last timestamp, marked -----------
    for producer in sorted(making, key=_worker_key):
        number = making[producer]["number"]
        close_make(producer, last, "produce.unfinished", f"make #{number} (unfinished)",
                   {"broken": None, "unfinished": True})
    for consumer in sorted(consuming, key=_worker_key):
        open_ = consuming[consumer]
        b.slice(f"consume #{open_['number']} (unfinished)", "consume.unfinished", b.tid(consumer),
                open_["start"], last, {"number": open_["number"], "broken": None, "unfinished": True})
    for consumer in sorted(waiting, key=_worker_key):
        b.slice("waiting (buffer empty) (unfinished)", "waiting.unfinished", b.tid(consumer), waiting[consumer],
                last, {"unfinished": True})
    if not ids_closed and ids_start is not None:
        b.slice("serving IDs (unfinished)", "ids.unfinished", GENERATOR_TID, ids_start, last,
                {"handed_out": handed_out, "unfinished": True})

    # Metadata first; then by time; a slice before the slices it contains.
    order = {"M": 0, "X": 1, "C": 2, "i": 3}
    b.out.sort(key=lambda ev: (ev["ph"] != "M", ev.get("ts", 0.0), order.get(ev["ph"], 4), -ev.get("dur", 0.0)))
    return {
        "traceEvents": b.out,
        "displayTimeUnit": "ns" if last < 10_000 else "ms",
        "otherData": {"source": "factory-tui", "config": config, "summary": summary,
                      "finished": summary is not None},
    }


def write_chrome_trace(events: list[dict], path: str | Path) -> None:
    """Write `chrome_trace(events)` to `path` as JSON (open it in ui.perfetto.dev
    or chrome://tracing)."""
    # json.dumps, not json.dump: dump streams through the pure-Python encoder, 4x slower
    text = json.dumps(chrome_trace(events), separators=(",", ":"), allow_nan=False)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text + "\n")
