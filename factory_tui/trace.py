"""Events <-> JSON Lines: record a run, load a recorded one.

Loading is strict and safe: every line is parsed with `json.loads` (nothing is
evaluated or unpickled), checked against the event table, and the whole trace
against SPEC section 3's invariants. A bad file is refused with one line that
names the line number and what is wrong.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, TextIO

from .engine.config import CONFIG_FIELDS, validate
from .engine.events import EVENT_FIELDS, OUTCOMES
from .formats import event_json
from .invariants import check_stream

MAX_LINE = 1_000_000  # bytes; a longer line is refused, not read into memory whole


class TraceError(ValueError):
    """A trace that cannot be replayed; str() is the one line to show."""


class TraceWriter:
    """A listener that appends each event to a JSON Lines file, flushing often
    enough that a run cut short still leaves a valid prefix."""

    FLUSH_EVERY = 512

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file: TextIO = open(self.path, "w", encoding="utf-8")
        self._pending = 0
        self._lock = threading.Lock()  # close() may come from another thread than the events

    def __call__(self, event: dict[str, Any]) -> None:
        # An OSError here (disk full) reaches the Recorder, which detaches this
        # writer and fails the run with the message.
        with self._lock:
            if self._file.closed:
                return
            self._file.write(event_json(event) + "\n")
            self._pending += 1
            if self._pending >= self.FLUSH_EVERY or event["type"] in ("run_started", "stop_signalled", "run_finished"):
                self._file.flush()
                self._pending = 0

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                try:
                    self._file.close()
                except OSError:
                    pass  # already reported: the write that failed ended the run


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "producer": (str,),
    "consumer": (str,),
    "number": (int,),
    "broken": (bool,),
    "buffer": (int,),
    "latency_s": (int, float),
    "reason": (str,),
    "config": (dict,),
    "summary": (dict,),
}
_CONFIG_TYPES = {"n": int, "p": int, "c": int, "k": int, "buffer": int, "id_buffer": int, "stop": str,
                 "produce_ms": (int, float), "consume_ms": (int, float), "jitter": (int, float)}


def _check_event(event: Any, line_no: int, expected_seq: int) -> None:
    def fail(why: str) -> None:
        raise TraceError(f"line {line_no}: {why}")

    if not isinstance(event, dict):
        fail("not a JSON object")
    kind = event.get("type")
    if not isinstance(kind, str):
        fail("missing 'type'")
    if kind not in EVENT_FIELDS:
        fail(f"unknown event type {kind[:40]!r}")
    seq = event.get("seq")
    if type(seq) is not int:
        fail("'seq' missing or not an integer")
    if seq != expected_seq:
        fail(f"seq {seq} where {expected_seq} was expected")
    t = event.get("t")
    if type(t) not in (int, float) or not (0 <= t < 1e9):
        fail("'t' missing or not a time in seconds")
    for name in EVENT_FIELDS[kind]:
        if name not in event:
            fail(f"{kind} has no '{name}'")
        value = event[name]
        if name == "consumer" and kind == "stop_signalled" and value is None:
            continue
        allowed = _FIELD_TYPES.get(name, (object,))
        if type(value) not in allowed:  # exact types: true is not a number here
            fail(f"{kind}.{name} is {type(value).__name__}, not {allowed[0].__name__}")
    if kind == "run_started":
        config = event["config"]
        for name, allowed in _CONFIG_TYPES.items():
            value = config.get(name)
            allowed = allowed if isinstance(allowed, tuple) else (allowed,)
            if type(value) not in allowed:
                fail(f"run_started.config.{name} is missing or not {allowed[0].__name__}")
        unknown = set(config) - set(CONFIG_FIELDS)
        if unknown:
            fail(f"run_started.config has unknown settings {sorted(unknown)}")
        if config.get("seed") is not None and type(config["seed"]) is not int:
            fail("run_started.config.seed is not an integer")
        _, errors = validate(config)  # the same rules as the command line and the form
        if errors:
            fail(f"run_started.config: {errors[0].message}")
    if kind == "run_finished":
        summary = event["summary"]
        for name in ("produced", "consumed", "discarded", "after_broken", "after_stop"):
            if type(summary.get(name)) is not int:
                fail(f"run_finished.summary.{name} is missing or not an integer")
        if summary.get("outcome") not in OUTCOMES:
            fail(f"run_finished.summary.outcome must be one of {', '.join(OUTCOMES)}")
        if type(summary.get("elapsed_s")) not in (int, float):
            fail("run_finished.summary.elapsed_s is missing or not a number")


def load_trace(path: str | Path, *, check_invariants: bool = True) -> list[dict[str, Any]]:
    """Read and validate a whole trace. Raises TraceError with one line."""
    path = Path(path)
    events: list[dict[str, Any]] = []
    if path.is_dir():
        raise TraceError(f"{path}: is a directory, not a trace file")
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise TraceError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with handle:
        line_no = 0
        while True:
            raw = handle.readline(MAX_LINE + 1)
            if not raw:
                break
            line_no += 1
            if len(raw) > MAX_LINE:
                raise TraceError(f"line {line_no}: longer than {MAX_LINE:,} bytes")
            if not raw.strip():
                continue
            try:
                event = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                if not raw.endswith(b"\n") and events and not handle.read(1):
                    break  # the last line of a recording cut short mid-write: keep the prefix
                raise TraceError(f"line {line_no}: not valid JSON ({str(exc).splitlines()[0][:80]})") from None
            _check_event(event, line_no, len(events) + 1)
            events.append(event)
    if not events:
        raise TraceError(f"{path}: the trace is empty")
    if events[0]["type"] != "run_started":
        raise TraceError("line 1: the first event must be run_started")
    if check_invariants:
        # A run cut short leaves a valid prefix: replay it, but it must be one.
        problems = check_stream(events, prefix_ok=True)
        if problems:
            first = problems[0]
            line = first.split(":", 1)[0].removeprefix("seq ") if first.startswith("seq ") else None
            where = f"line {line}" if line else f"line {len(events)}"
            detail = first.split(": ", 1)[1] if first.startswith("seq ") else first
            raise TraceError(f"{where}: breaks an invariant: {detail}")
    return events


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")
