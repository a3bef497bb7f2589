"""The one crossing between engine threads and the UI.

Engine threads call the bridge's listener for every event. The listener folds
the event into a `RunState` and keeps its log line, under the bridge's lock;
it never blocks on the UI and never posts a message per event. The UI takes a
`Frame` (a consistent copy of what it must draw, plus the log lines since the
last frame) on a timer, 20-30 times a second.

Folding on arrival rather than queueing raw events keeps memory flat however
fast the engine runs: the backlog is never more than one frame of log lines
(bounded), whatever the flood. The fold is the same pure `RunState.apply` that
replay and the tests use, so what the UI shows is still a fold of the stream.

Control of the run (start, cancel, pause, speed) goes through here too, so the
UI holds no reference to engine threads.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from ..compare import compare
from ..engine.config import Config
from ..engine.factory import Factory
from ..model import RunState, render

EXPORT_LIMIT = 20_000  # events of a live run kept for `e` (export); --record keeps whole runs
LOG_BACKLOG = 500  # log lines kept between two frames (more than a screen); older ones are counted, not kept


@dataclass
class Frame:
    """What one screen update needs, copied under the lock."""

    state: RunState
    lines: list[str] = field(default_factory=list)
    skipped_lines: int = 0  # lines that came faster than a frame can show


class Bridge:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = RunState()
        self._lines: deque = deque(maxlen=LOG_BACKLOG)  # log entries, formatted at frame time
        self._skipped = 0
        self._events = 0
        self._run_id = 0
        self._factory: Factory | None = None
        self._retired: list[Factory] = []  # cancelled runs whose threads are still ending
        self.speed = 1.0
        self._run_events: list[dict[str, Any]] = []  # the current run, up to EXPORT_LIMIT
        self.run_events_cut = False
        self._compare_thread: threading.Thread | None = None
        self._compare_factory: Factory | None = None
        self._compare_cancelled = False
        self.compare_seed: int | None = None

    # -- engine side ------------------------------------------------------------
    def _listener(self, run_id: int, extra: Callable[[dict[str, Any]], None] | None) -> Callable[[dict[str, Any]], None]:
        def listen(event: dict[str, Any]) -> None:
            with self._lock:
                if run_id != self._run_id:  # a cancelled run's last words
                    return
                self._fold(event)
            if extra is not None:
                extra(event)

        return listen

    # -- UI side -----------------------------------------------------------------
    def frame(self) -> Frame | None:
        """Everything new since the last call, or None if nothing happened."""
        with self._lock:
            if not self._events and not self._lines:
                return None
            frame = Frame(state=self._state.snapshot(), skipped_lines=self._skipped)
            entries = list(self._lines)
            self._lines.clear()
            self._skipped = 0
            self._events = 0
        frame.lines = [render(entry) for entry in entries]  # outside the lock: engine threads go on
        return frame

    def start(self, config: Config, also: Callable[[dict[str, Any]], None] | None = None) -> None:
        """Start a new run, cancelling the one in progress (without waiting for it).
        `also` hears every event of this run too (a trace recorder), in the engine thread."""
        self.cancel()
        with self._lock:
            self._run_id += 1
            self._state = RunState()
            self._lines.clear()
            self._skipped = self._events = 0
            self._run_events, self.run_events_cut = [], False
            run_id = self._run_id
        factory = Factory(config, self._listener(run_id, also), speed=self.speed)
        self._factory = factory
        factory.start()

    def feed(self, events: list[dict[str, Any]], reset: bool = False) -> None:
        """Fold events that come from a recorded trace rather than live threads."""
        with self._lock:
            if reset:
                self._run_id += 1
                self._state = RunState()
                self._lines.clear()
                self._skipped = 0
                self._run_events, self.run_events_cut = [], False
            for event in events:
                self._fold(event)

    def _fold(self, event: dict[str, Any]) -> None:
        """Fold one event and keep its log line; call with self._lock held."""
        line = self._state.apply_entry(event)
        self._events += 1
        if len(self._run_events) < EXPORT_LIMIT:
            self._run_events.append(event)
        else:
            self.run_events_cut = True
        if line is not None:
            if len(self._lines) == LOG_BACKLOG:
                self._skipped += 1
            self._lines.append(line)

    def run_events(self) -> list[dict[str, Any]]:
        """The events of the current run so far (at most EXPORT_LIMIT)."""
        with self._lock:
            return list(self._run_events)

    def cancel(self) -> None:
        factory, self._factory = self._factory, None
        if factory is not None and not factory.done.is_set():
            factory.cancel()
            self._retired.append(factory)
        self._retired = [f for f in self._retired if not f.done.is_set()]

    # -- compare: three headless runs, one after another, in a thread the bridge owns
    def compare(self, config: Config, deliver: Callable[[dict[str, Any] | None], None]) -> None:
        """Run `config` under each strategy; `deliver` gets each summary, then None.
        `deliver` is called in the compare thread: it must not block."""
        self.cancel_compare()
        self._compare_cancelled = False
        seed = config.seed if config.seed is not None else random.randrange(2**32)
        self.compare_seed = seed

        def body() -> None:
            compare(config.replace(seed=seed), deliver, cancelled=lambda: self._compare_cancelled,
                    on_factory=self._set_compare_factory)
            if not self._compare_cancelled:
                deliver(None)

        self._compare_thread = threading.Thread(target=body, name="compare-supervisor", daemon=True)
        self._compare_thread.start()

    def _set_compare_factory(self, factory: Factory) -> None:
        self._compare_factory = factory
        if self._compare_cancelled:
            factory.cancel()

    def cancel_compare(self) -> None:
        self._compare_cancelled = True
        if self._compare_factory is not None:
            self._compare_factory.cancel()

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Cancel everything and wait (at most `timeout` in all) for every
        engine thread to end. True if none is left."""
        deadline = time.monotonic() + timeout
        current = self._factory
        self.cancel()
        self.cancel_compare()
        factories = [*self._retired, *([current] if current else [])]
        threads = [t for f in factories for t in f.alive_threads()]
        if self._compare_thread is not None:
            threads.append(self._compare_thread)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._retired = []
        return not any(t.is_alive() for t in threads)

    @property
    def running(self) -> bool:
        return self._factory is not None and not self._factory.done.is_set()

    @property
    def paused(self) -> bool:
        return self._factory is not None and self._factory.paused

    def toggle_pause(self) -> bool:
        factory = self._factory
        if factory is None or factory.done.is_set():
            return False
        if factory.paused:
            factory.resume()
        else:
            factory.pause()
        return factory.paused

    def step(self) -> bool:
        """While paused: let one widget through. False if there is nothing to step."""
        factory = self._factory
        if factory is None or factory.done.is_set() or not factory.paused:
            return False
        factory.step()
        return True

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        if self._factory is not None:
            self._factory.set_speed(speed)
