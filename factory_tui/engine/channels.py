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
    """Widget numbers from the generator to the producers, with Go's channel
    semantics: capacity 0 is a hand-off (the generator waits until a producer
    takes each number); a buffered channel that is closed still delivers what
    it holds. That last rule is why a pre-filled channel (I >= n) cannot be
    stopped by closing it, exactly as in the original program.
    """

    def __init__(self, capacity: int, recorder: Recorder):
        self.capacity = capacity
        self._recorder = recorder
        self._lock = threading.Lock()
        self._can_put = threading.Condition(self._lock)  # the generator waits here
        self._can_take = threading.Condition(self._lock)  # producers wait here
        self._items: deque[int] = deque()
        self._offer: int | None = None  # the number on offer in a hand-off
        self._stopped = False  # stop signal: no more numbers are handed out
        self._closed = False
        self._cancelled = False

    def __len__(self) -> int:
        return len(self._items)

    def put(self, number: int) -> bool:
        """Hand one number over. False if the stop signal or a cancel came
        first (a hand-off that nobody took is withdrawn)."""
        with self._lock:
            if self.capacity == 0:
                if self._stopped or self._cancelled:
                    return False
                self._offer = number
                self._can_take.notify()
                while self._offer is not None and not (self._stopped or self._cancelled):
                    self._can_put.wait()
                if self._offer is not None:  # nobody took it in time
                    self._offer = None
                    return False
                return True
            while len(self._items) >= self.capacity and not (self._stopped or self._cancelled):
                self._can_put.wait()
            if self._stopped or self._cancelled:
                return False
            self._items.append(number)
            self._can_take.notify()
            return True

    def take(self, producer: str) -> int | None:
        """The next number, or None once the channel is closed (or stopped)
        and empty, or the run is cancelled. Emits widget_started while the
        channel is locked, with the channel's occupancy after the take."""
        with self._lock:
            while True:
                if self._cancelled:
                    return None
                if self._items:
                    number = self._items.popleft()
                    self._can_put.notify()
                    self._recorder.emit("widget_started", producer=producer, number=number, ids=len(self._items))
                    return number
                if self._offer is not None and not self._stopped:
                    number = self._offer
                    self._offer = None
                    self._can_put.notify()
                    self._recorder.emit("widget_started", producer=producer, number=number, ids=0)
                    return number
                if self._closed or self._stopped:
                    return None
                self._can_take.wait()

    def signal_stop(self, consumer: str | None, **extra) -> bool:
        """Send the stop signal: numbered while the channel is locked, so no
        number is handed over after stop_signalled. Once only; False after."""
        with self._lock:
            if self._stopped:
                return False
            self._stopped = True
            self._recorder.stop(consumer, **extra)
            self._can_put.notify_all()
            self._can_take.notify_all()
            return True

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._recorder.emit("id_channel_closed", pending=len(self._items))
            self._can_take.notify_all()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            self._can_put.notify_all()
            self._can_take.notify_all()


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

    def __len__(self) -> int:
        return len(self._items)

    def put(self, producer: str, number: int, broken: bool) -> Widget | None:
        """Put a new widget, waiting while the buffer is full. None if the run
        was halted first (the widget was never produced)."""
        recorder = self._recorder
        with self._lock:
            items = self._items
            if len(items) >= self.capacity and not self._halted:
                recorder.emit("producer_blocked", producer=producer, number=number)
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
                recorder.emit("consumer_waiting", consumer=consumer)
                while not items and not (self._closed or self._halted):
                    self._not_empty.wait()
            if self._halted or not items:
                return None
            widget = items.popleft()
            recorder.emit("widget_taken", consumer=consumer, number=widget.number, buffer=len(items))
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
