"""The widget factory: ID generator, producers, consumers, and the shutdown.

Every moving part is a real thread the Factory owns; no Textual here. The run
ends in one of three ways, and in each all threads are joined before
`run_finished` is emitted:

- the work ends (all widgets made and consumed, or the broken widget stopped
  production and the shutdown strategy brought everything to rest);
- `interrupt()` (Ctrl-C): a stop signal from outside, then the same drain;
- `cancel()`: every wait wakes at once, widgets left in the buffer are
  reported as discarded, and the outcome is `cancelled`.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from .channels import IdChannel, WidgetBuffer
from .config import Config
from .events import Listener, Recorder


class Pacing:
    """Delays of a run: speed can change while it runs; pause holds every
    worker at its next step; all waits wake on cancel."""

    def __init__(self, speed: float = 1.0):
        self.speed = speed
        self._cond = threading.Condition()
        self._paused = False
        self._permits = {"producer": 0, "consumer": 0}  # steps allowed while paused
        self._cancelled = threading.Event()

    @property
    def paused(self) -> bool:
        return self._paused

    def sleep(self, seconds: float) -> bool:
        """Wait `seconds` of run time. False if the run was cancelled meanwhile."""
        if seconds > 0:
            # A delay may be any size (SPEC: >= 0): a wait longer than the
            # platform allows is a wait until cancel.
            return not self._cancelled.wait(min(seconds / self.speed, threading.TIMEOUT_MAX))
        return not self._cancelled.is_set()

    def checkpoint(self, role: str) -> None:
        """Hold here, before the next widget, while paused (cheap when not
        paused: no lock taken). A step lets one worker of each role through."""
        if self._paused:
            with self._cond:
                while self._paused and not self._cancelled.is_set():
                    if self._permits[role]:
                        self._permits[role] -= 1
                        return
                    self._cond.wait()

    def step(self) -> None:
        """While paused: one producer may make one widget, one consumer consume one."""
        with self._cond:
            if self._paused:
                self._permits = {"producer": 1, "consumer": 1}
                self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._permits = {"producer": 0, "consumer": 0}
            self._cond.notify_all()

    def halt(self) -> None:
        """Stop at once: every sleep and pause wakes and reports it (cancel, abort)."""
        self._cancelled.set()
        with self._cond:
            self._cond.notify_all()


class Factory:
    """One run of the factory. Create, then `run()` (blocking) or `start()`."""

    def __init__(self, config: Config, listener: Listener | None = None, speed: float = 1.0):
        self.config = config
        self.recorder = Recorder(config.k, listener)
        self.pacing = Pacing(speed)
        self.ids = IdChannel(config.n, config.id_buffer, self.recorder)
        self.buffer = WidgetBuffer(config.buffer, self.recorder)
        self._exit_lock = threading.Lock()
        self._producers_left = config.p
        self._strict_lock = threading.Lock()  # strict: "check the stop flag, then put" is one step
        self._interrupted = False
        self._cancelled = False
        self._failure: str | None = None
        self._threads: list[threading.Thread] = []
        self._helpers: list[threading.Thread] = []
        self.recorder.on_listener_error = self._listener_failed
        self._supervisor: threading.Thread | None = None
        self.done = threading.Event()
        self.summary: dict[str, Any] | None = None
        self._rng_seed = config.seed if config.seed is not None else random.randrange(2**32)
        self.seed = self._rng_seed  # the seed actually used: every run can be repeated

    # -- control, from any thread ---------------------------------------------
    def start(self) -> None:
        """Run in a supervisor thread owned by the factory; returns at once."""
        self._supervisor = threading.Thread(target=self.run, name="factory-supervisor", daemon=True)
        self._supervisor.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; True if it has."""
        return self.done.wait(timeout)

    def cancel(self) -> None:
        """End the run at once. Every blocking wait wakes; returns without waiting."""
        self._cancelled = True
        self._halt()

    def _halt(self) -> None:
        self.pacing.halt()
        self.ids.cancel()
        self.buffer.halt()

    def interrupt(self) -> None:
        """Stop production as the broken widget would, then drain (Ctrl-C).
        Does nothing once a stop was signalled or the run is over."""
        self.pacing.resume()
        if self.ids.signal_stop(None, reason="interrupt"):
            self._interrupted = True

    def pause(self) -> None:
        self.pacing.pause()

    def resume(self) -> None:
        self.pacing.resume()

    def step(self) -> None:
        self.pacing.step()

    @property
    def paused(self) -> bool:
        return self.pacing.paused

    def set_speed(self, speed: float) -> None:
        self.pacing.speed = max(1e-3, speed)

    # -- the run ---------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """The whole run, in the calling thread; returns the summary. Whatever
        happens, every thread is joined and `done` is set."""
        try:
            return self._run()
        finally:
            self.done.set()

    def _listener_failed(self, exc: BaseException) -> None:
        # Called with the Recorder's lock (and maybe a buffer's) held: take no
        # lock here; a short-lived thread cancels the run instead.
        if self._failure is None:
            self._failure = f"event listener: {type(exc).__name__}: {exc}"
        canceller = threading.Thread(target=self.cancel, name="factory-canceller", daemon=True)
        self._helpers.append(canceller)
        canceller.start()

    def _run(self) -> dict[str, Any]:
        cfg = self.config
        rec = self.recorder
        rec.start_clock()
        # The seed actually used is recorded, so any run can be repeated.
        rec.emit("run_started", config=cfg.replace(seed=self._rng_seed).to_dict(), wall_time=time.time())
        generator = threading.Thread(target=self._guard, args=(self._generate,), name="id_generator", daemon=True)
        producers = [
            threading.Thread(target=self._guard, args=(self._produce, i), name=f"producer_{i}", daemon=True)
            for i in range(1, cfg.p + 1)
        ]
        consumers = [
            threading.Thread(target=self._guard, args=(self._consume, i), name=f"consumer_{i}", daemon=True)
            for i in range(1, cfg.c + 1)
        ]
        self._threads = [generator, *producers, *consumers]
        for thread in (*consumers, *producers, generator):
            thread.start()
        for thread in producers:
            thread.join()
        # Every producer has gone: a generator still waiting must close up.
        self.ids.cancel()
        generator.join()
        for thread in consumers:
            thread.join()
        self.ids.seal()  # from here on no stop signal can follow run_finished
        self.buffer.discard_all()  # after a cancel or abort: reported, never lost
        for helper in self._helpers:
            helper.join()
        self.summary = rec.summary(self._outcome(), rec.now())
        if self._failure:
            self.summary["error"] = self._failure
        rec.emit("run_finished", summary=self.summary)
        for helper in self._helpers:  # a listener that failed on run_finished itself
            helper.join()
        if rec.listener_error is not None and self.summary["outcome"] != "failed":
            # It heard the end but could not keep it (a recording's last flush
            # failed): the run's result was not delivered, so the run failed.
            self.summary["outcome"] = "failed"
            self.summary["error"] = self._failure
        return self.summary

    def _outcome(self) -> str:
        if self._failure:
            return "failed"
        if self._cancelled or self._interrupted:
            return "cancelled"
        if self.recorder.broken is not None:
            return "aborted" if self.config.stop == "abort" else "stopped"
        return "completed"

    def _guard(self, body, *args) -> None:
        """A thread that fails ends the run (outcome failed) instead of hanging it."""
        try:
            body(*args)
        except BaseException as exc:  # noqa: BLE001 - reported, then the run is ended
            if self._failure is None:
                self._failure = f"{threading.current_thread().name}: {type(exc).__name__}: {exc}"
            self.cancel()

    def _delay(self, rng: random.Random, ms: float) -> float:
        if ms <= 0:
            return 0.0
        jitter = self.config.jitter
        factor = 1.0 + jitter * (2.0 * rng.random() - 1.0) if jitter else 1.0
        return ms * factor / 1000.0

    # -- the threads -----------------------------------------------------------
    def _generate(self) -> None:
        self.ids.serve()

    def _produce(self, index: int) -> None:
        name = f"producer_{index}"
        cfg = self.config
        rec = self.recorder
        pacing = self.pacing
        rng = random.Random(self._rng_seed * 1_000_003 + index)
        broken_number = cfg.k
        produce_ms = cfg.produce_ms
        strict = cfg.stop == "strict"
        number_in_hand: int | None = None
        reason = "done"
        rec.emit("producer_started", producer=name)
        try:
            while True:
                pacing.checkpoint("producer")
                # One step under the channel's lock: take a unit of the shared
                # count (none left: done), then the next number (held back by
                # the stop signal: stopped).
                number = self.ids.take(name)  # emits widget_started
                if number == 0:
                    break
                if number is None:
                    reason = "stopped"
                    break
                number_in_hand = number  # from here until it is in the buffer
                if produce_ms and not pacing.sleep(self._delay(rng, produce_ms)):
                    reason = "stopped"
                    break
                if strict:
                    with self._strict_lock:
                        put = not rec.stop_signalled and self.buffer.put(name, number, number == broken_number)
                else:
                    put = self.buffer.put(name, number, number == broken_number)
                if not put:
                    reason = "stopped"
                    break
                number_in_hand = None
        except BaseException:
            reason = "stopped"
            raise
        finally:
            if number_in_hand is not None:
                # Its number was taken, but it never went into the buffer: say so,
                # so a gap in the produced numbers is explained, never silent.
                rec.emit("widget_abandoned", producer=name, number=number_in_hand)
            rec.emit("producer_exited", producer=name, reason=reason)
            with self._exit_lock:
                self._producers_left -= 1
                last = self._producers_left == 0
            if last:
                self.buffer.close()

    def _consume(self, index: int) -> None:
        name = f"consumer_{index}"
        cfg = self.config
        rec = self.recorder
        pacing = self.pacing
        rng = random.Random(self._rng_seed * 1_000_003 + 500_000 + index)
        consume_ms = cfg.consume_ms
        rec.emit("consumer_started", consumer=name)
        try:
            while True:
                pacing.checkpoint("consumer")
                widget = self.buffer.take(name)
                if widget is None:
                    break
                try:
                    halted = bool(consume_ms) and not pacing.sleep(self._delay(rng, consume_ms))
                except BaseException:
                    rec.widget_discarded(widget.number)  # a fault with it in hand: reported, not lost
                    raise
                if halted:
                    rec.widget_discarded(widget.number)  # stopped at once with it in hand
                    break
                rec.widget_consumed(name, widget.number, widget.producer, widget.broken, widget.made_t)
                if widget.broken:
                    rec.broken_found(name, widget.number)
                    self.ids.signal_stop(name, reason="broken")
                    if cfg.stop == "abort":
                        # Everything stops at once; what is left is reported, not lost.
                        self._halt()
                        self.buffer.discard_all()
        finally:
            rec.emit("consumer_exited", consumer=name)

    def alive_threads(self) -> list[threading.Thread]:
        threads = list(self._threads)
        if self._supervisor is not None:
            threads.append(self._supervisor)
        return [t for t in threads if t.is_alive()]
