"""The two places threads meet: the ID channel and the bounded widget buffer.

Both are built on one lock and conditions (as `queue.Queue` is), because they
must do more than a queue: every wait also wakes on cancel, and each event that
describes a put or a take is numbered while the lock is still held, so the
stream shows puts and takes in the order they really happened.

Lock order, always: channel or buffer lock first, then the Recorder's lock.
Nothing takes a channel or buffer lock while holding the Recorder's.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import NamedTuple

from .events import Recorder


class Widget(NamedTuple):
    number: int
    producer: str
    broken: bool
    made_t: float  # run-clock time of its widget_produced event


class IdChannel:
    """Widget numbers 1..n from the generator to the producers, with Go's
    channel semantics: capacity 0 is a hand-off (a number exists only when a
    producer takes it, and none is handed over after the stop signal); a
    buffered channel holds up to `capacity` numbers ahead, and once closed it
    still delivers what it holds. That last rule is why a pre-filled channel
    (I >= n) cannot be stopped by closing it, exactly as in the original program.

    The generator's sequence is known in advance (1, 2, ..., n), so the channel
    represents the numbers it holds as a range instead of queued objects: a
    take hands over the next number at once, in order, without a thread switch
    per number (a real hand-off through a second thread costs a context switch
    per widget, several times the rest of the engine's work). The generator
    thread still owns the channel's life: it waits for the stop signal or the
    end of the numbers, and closes the channel.
    """

    def __init__(self, n: int, capacity: int, recorder: Recorder):
        self.n = n
        self.capacity = capacity
        self._recorder = recorder
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # the generator waits here
        self._next = 1  # the next number to hand over
        self._limit = n  # the last number that may be handed over
        self._stopped = False
        self._closed = False
        self._cancelled = False
        self._sealed = False  # the run is over: no stop signal any more

    def held(self) -> int:
        """Numbers waiting in the channel (0 for a hand-off)."""
        if self.capacity == 0:
            return 0
        return max(0, min(self.capacity, self._limit - self._next + 1))

    def take(self, producer: str) -> int | None:
        """The next number; 0 when all n were handed out (the producers' shared
        count is used up: this lock guards it too); None when the stop signal
        or a cancel keeps the rest back. Emits widget_started while the channel
        is locked, with the channel's occupancy after the take."""
        with self._lock:
            number = self._next
            if self._cancelled:
                return None
            if number > self._limit:
                return 0 if number > self.n else None
            self._next = number + 1
            self._recorder.widget_started(producer, number, self.held())
            if self._next > self._limit:
                self._changed.notify()  # the generator may close the channel now
            return number

    def serve(self) -> None:
        """The generator thread's work: keep the channel until the numbers run
        out or the stop signal comes, then close it."""
        with self._lock:
            while self._next <= self._limit and not (self._stopped or self._cancelled):
                self._changed.wait()
        self.close()

    def signal_stop(self, consumer: str | None, **extra) -> bool:
        """Send the stop signal: numbered while the channel is locked, so no
        number is handed over after stop_signalled, except those a buffered
        channel already holds. Once only; False after."""
        with self._lock:
            if self._stopped or self._sealed:
                return False
            self._stopped = True
            # What a buffered channel holds was generated before the stop: it stays.
            self._limit = min(self._limit, self._next - 1 + self.capacity)
            self._recorder.stop(consumer, **extra)
            self._changed.notify_all()
            return True

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._recorder.emit("id_channel_closed", pending=self.held())

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            self._changed.notify_all()

    def seal(self) -> None:
        """Every worker has exited: a late interrupt must not send a stop signal."""
        with self._lock:
            self._sealed = True


class WidgetBuffer:
    """The bounded buffer between producers and consumers (capacity B)."""

    def __init__(self, capacity: int, recorder: Recorder):
        self.capacity = capacity
        self._recorder = recorder
        self._lock = threading.Lock()
        self._not_full = threading.Condition(self._lock)
        self._not_empty = threading.Condition(self._lock)
        self._items: deque[Widget] = deque()
        self._closed = False
        self._halted = False  # abort or cancel: nobody puts or takes any more

    def put(self, producer: str, number: int, broken: bool) -> Widget | None:
        """Put a new widget, waiting while the buffer is full. None if the run
        was halted first (the widget was never produced)."""
        recorder = self._recorder
        with self._lock:
            items = self._items
            if len(items) >= self.capacity and not self._halted:
                recorder.producer_blocked(producer, number)
                while len(items) >= self.capacity and not self._halted:
                    self._not_full.wait()
            if self._halted:
                return None
            made_t = recorder.widget_produced(producer, number, broken, len(items) + 1)
            widget = Widget(number, producer, broken, made_t)
            items.append(widget)
            self._not_empty.notify()
            return widget

    def take(self, consumer: str) -> Widget | None:
        """The oldest widget, waiting while the buffer is empty. None once it
        is closed and empty, or halted."""
        recorder = self._recorder
        with self._lock:
            items = self._items
            if not items and not (self._closed or self._halted):
                recorder.consumer_waiting(consumer)
                while not items and not (self._closed or self._halted):
                    self._not_empty.wait()
            if self._halted or not items:
                return None
            widget = items.popleft()
            recorder.widget_taken(consumer, widget.number, len(items))
            self._not_full.notify()
            return widget

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._recorder.emit("buffer_closed")
            self._not_empty.notify_all()

    def halt(self) -> None:
        """Stop all puts and takes at once (abort, cancel): every wait wakes."""
        with self._lock:
            self._halted = True
            self._not_full.notify_all()
            self._not_empty.notify_all()

    def discard_all(self) -> int:
        """Report every widget still inside as discarded, oldest first, so no
        widget is ever silently lost. Returns how many."""
        with self._lock:
            discarded = 0
            while self._items:
                widget = self._items.popleft()
                self._recorder.widget_discarded(widget.number)
                discarded += 1
            return discarded
