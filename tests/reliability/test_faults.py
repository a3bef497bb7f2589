"""Issue 6, part 2: faults. An exception inside a producer, a consumer, the ID
generator or the event listener must end the run with outcome `failed`, one
readable message in summary["error"], every thread joined, and every widget
accounted for.

Faults are injected without touching the package: a method of the engine is
wrapped (pytest's monkeypatch) so that it raises on its Nth call from a given
kind of thread, or the listener raises.

What `check_stream` asks of a failed run: it treats `failed` (like
`cancelled`) as a run cut short, so it does not ask for a broken_found, the
after-stop bounds, "k outside 1..n means every widget made", "drain abandons
nothing" or "drain/strict discard nothing". Everything else still applies,
and these tests ask for all of it: seq/t order, each worker started and
exited once, buffer_closed after the last producer, run_finished last, no
widget produced twice, the numbers taken 1..m with every gap explained by
widget_abandoned, each produced widget consumed or discarded exactly once,
and a summary that matches the stream. On top of it they check, from the
stream, that every number a producer took (widget_started) was produced or
abandoned: that is what the README promises of widget_abandoned, and
check_stream can only see it when a higher number was produced.
"""

from __future__ import annotations

import threading
import time

import pytest

from factory_tui.engine import STRATEGIES, Config, Factory
from factory_tui.engine import channels
from factory_tui.engine import factory as factory_module
from factory_tui.invariants import check_stream
from tests.reliability.support import engine_threads, leaked_threads, run_bounded

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_leaked_threads")]


class InjectedFault(RuntimeError):
    pass


def raise_on_nth_call(monkeypatch, owner: type, name: str, nth: int, thread_prefix: str,
                      exc: type[BaseException] = InjectedFault) -> dict:
    """Make owner.name raise `exc` on its nth call from a thread whose name
    starts with thread_prefix (before doing anything). Returns a record of
    whether and where the fault fired."""
    original = getattr(owner, name)
    lock = threading.Lock()
    state = {"calls": 0, "fired_in": None, "message": f"injected fault in {owner.__name__}.{name}, call {nth}"}

    def wrapper(self, *args, **kwargs):
        if threading.current_thread().name.startswith(thread_prefix):
            with lock:
                state["calls"] += 1
                fire = state["calls"] == nth
                if fire:
                    state["fired_in"] = threading.current_thread().name
            if fire:
                raise exc(state["message"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return state


def accounting_problems(events: list[dict], factory: Factory) -> list[str]:
    """Every way a widget or a number could be lost, from the stream and from
    the summary the caller gets."""
    problems = list(check_stream(events))
    if not events or events[-1]["type"] != "run_finished":
        return problems + ["no run_finished"]
    summary = events[-1]["summary"]
    if factory.summary != summary:
        problems.append("factory.summary differs from run_finished's summary")
    if summary["consumed"] + summary["discarded"] != summary["produced"]:
        problems.append(
            f"lost widgets: consumed {summary['consumed']} + discarded {summary['discarded']} "
            f"!= produced {summary['produced']}"
        )
    started = {e["number"] for e in events if e["type"] == "widget_started"}
    explained = {e["number"] for e in events if e["type"] in ("widget_produced", "widget_abandoned")}
    if started - explained:
        problems.append(
            f"numbers taken from the ID channel but neither produced nor abandoned: {sorted(started - explained)[:5]}"
        )
    return problems


def failed_run_problems(factory: Factory, events: list[dict], before: set, expect_in_error: str) -> list[str]:
    """Everything a failed run must satisfy; [] when it does."""
    problems = []
    leaked = leaked_threads(factory, before)
    if leaked:
        problems.append(f"threads left behind: {leaked}")
    summary = factory.summary or {}
    if summary.get("outcome") != "failed":
        problems.append(f"outcome {summary.get('outcome')!r}, expected 'failed'")
    error = summary.get("error")
    if not isinstance(error, str) or expect_in_error not in error or "\n" in error:
        problems.append(f"summary error {error!r} is not one line naming {expect_in_error!r}")
    problems += accounting_problems(events, factory)
    return problems


# Delays on (so Factory._delay is called for each widget), small enough to be fast.
def fault_config(stop: str, **overrides) -> Config:
    values = dict(n=2000, p=4, c=4, k=1500, buffer=5, stop=stop, produce_ms=0.05, consume_ms=0.05, seed=7)
    values.update(overrides)
    return Config(**values)


# (method owner, method, thread kind, whether a widget or number is in the
# thread's hands when the fault hits)
FAULT_POINTS = {
    # a producer, before it takes a number: nothing in hand
    "producer-taking-a-number": (channels.IdChannel, "take", "producer_"),
    # a producer making a widget: its number is in hand
    "producer-making-a-widget": (factory_module.Factory, "_delay", "producer_"),
    # a producer putting a widget: its number is in hand
    "producer-putting-a-widget": (channels.WidgetBuffer, "put", "producer_"),
    # a consumer, before it takes a widget: nothing in hand
    "consumer-taking-a-widget": (channels.WidgetBuffer, "take", "consumer_"),
    # a consumer consuming a widget: the widget is in hand
    "consumer-consuming-a-widget": (factory_module.Factory, "_delay", "consumer_"),
    # the ID generator
    "id-generator": (channels.IdChannel, "serve", "id_generator"),
}


@pytest.mark.parametrize("point", list(FAULT_POINTS))
def test_a_fault_in_a_worker_fails_the_run_cleanly(point, monkeypatch):
    """The fault on the 1st and the 37th call, under each strategy: all six
    runs are made, and every one that goes wrong is named in the message."""
    owner, name, prefix = FAULT_POINTS[point]
    calls = [1] if prefix == "id_generator" else [1, 37]  # serve is called once
    failures = []
    for stop in STRATEGIES:
        for nth in calls:
            with monkeypatch.context() as patch:
                fault = raise_on_nth_call(patch, owner, name, nth, prefix)
                before = engine_threads()
                factory, events = run_bounded(fault_config(stop))
            assert fault["fired_in"], f"{stop}, call {nth}: the fault never fired ({fault['calls']} calls)"
            expected = f"{fault['fired_in']}: InjectedFault: {fault['message']}"
            problems = failed_run_problems(factory, events, before, expected)
            if problems:
                failures.append(f"[{stop}, fault on call {nth}: {'; '.join(problems)}]")
    assert not failures, f"a fault {point.replace('-', ' ')}: " + " ".join(failures)


@pytest.mark.parametrize("stop", STRATEGIES)
def test_a_base_exception_in_a_producer_fails_the_run_cleanly(stop, monkeypatch):
    # KeyboardInterrupt and SystemExit are not Exceptions: a thread must still report them
    fault = raise_on_nth_call(monkeypatch, channels.IdChannel, "take", 5, "producer_", exc=KeyboardInterrupt)
    before = engine_threads()
    factory, events = run_bounded(fault_config(stop))
    assert fault["fired_in"]
    problems = failed_run_problems(factory, events, before, "KeyboardInterrupt")
    assert not problems, problems


@pytest.mark.parametrize("stop", STRATEGIES)
def test_every_consumer_failing_wakes_producers_blocked_on_a_full_buffer(stop, monkeypatch):
    # consumers take 3 widgets each, then all fail; 16 producers are blocked on a full buffer of 1
    original = channels.WidgetBuffer.take
    counts: dict[str, int] = {}

    def take(self, consumer):
        counts[consumer] = counts.get(consumer, 0) + 1
        if counts[consumer] > 3:
            raise InjectedFault(f"{consumer} gave up")
        return original(self, consumer)

    monkeypatch.setattr(channels.WidgetBuffer, "take", take)
    before = engine_threads()
    factory, events = run_bounded(Config(n=5000, p=16, c=2, buffer=1, stop=stop, seed=3))
    assert any(e["type"] == "producer_blocked" for e in events)
    problems = failed_run_problems(factory, events, before, "gave up")
    assert not problems, problems


@pytest.mark.parametrize("stop", STRATEGIES)
def test_every_producer_failing_wakes_consumers_waiting_on_an_empty_buffer(stop, monkeypatch):
    # producers fail before taking a number, consumers are left waiting on an empty buffer
    original = channels.IdChannel.take

    def take(self, producer):
        if producer != "producer_1" or self._next > 10:
            raise InjectedFault(f"{producer} gave up")
        return original(self, producer)

    monkeypatch.setattr(channels.IdChannel, "take", take)
    before = engine_threads()
    factory, events = run_bounded(Config(n=1000, p=8, c=16, buffer=4, stop=stop, consume_ms=0.05, seed=5))
    problems = failed_run_problems(factory, events, before, "gave up")
    assert not problems, problems


# -- the event listener ---------------------------------------------------------

# A listener that fails is detached by the Recorder: it hears nothing after the
# failing event, so the stream it collected is a prefix. The prefix is checked
# with check_stream(prefix_ok=True), which still reports numbers that were in a
# producer's hands when the stream was cut ("numbers taken are not 1..m"): in a
# prefix these are widgets in flight, not gaps, so that one rule is set aside.
# The whole run is checked through factory.summary, which the caller gets.
LISTENER_FAULT_EVENTS = [
    "run_started", "producer_started", "consumer_started", "widget_started", "consumer_waiting",
    "producer_blocked", "widget_produced", "widget_taken", "widget_consumed", "broken_found",
    "stop_signalled", "id_channel_closed", "producer_exited", "buffer_closed", "widget_discarded",
    "widget_abandoned", "consumer_exited", "run_finished",
]


def _listener_config(event_type: str) -> Config:
    stop = {"widget_discarded": "abort", "widget_abandoned": "strict"}.get(event_type, "drain")
    # 8 producers on a buffer of 2 (they block), slow consumers (they find it full
    # when the broken one comes, so abort discards), producers slower to start
    # than consumers (they wait); strict abandons the numbers in hand at the stop
    return Config(n=400, p=8, c=2, k=100, buffer=2, stop=stop, produce_ms=0.2, consume_ms=0.3, seed=11)


@pytest.mark.parametrize("event_type", LISTENER_FAULT_EVENTS)
def test_a_failing_listener_fails_the_run_cleanly(event_type, monkeypatch):
    # The run is cancelled from a short-lived helper thread; slow that thread's
    # cancel down, so a helper the run does not join is seen, not missed by luck.
    original_cancel = factory_module.Factory.cancel

    def slow_cancel(self):
        if threading.current_thread().name == "factory-canceller":
            time.sleep(0.2)
        original_cancel(self)

    monkeypatch.setattr(factory_module.Factory, "cancel", slow_cancel)
    events: list[dict] = []
    message = f"listener fault at the first {event_type}"

    def listener(event):
        events.append(event)
        if event["type"] == event_type:
            raise OSError(28, message)

    before = engine_threads()
    factory, _ = run_bounded(_listener_config(event_type), listener)
    assert any(e["type"] == event_type for e in events), f"no {event_type} event: the fault never fired"
    assert events[-1]["type"] == event_type, "the failing listener was not detached"
    problems = []
    leaked = leaked_threads(factory, before)
    if leaked:
        problems.append(f"threads left behind after run() returned: {leaked}")
    summary = factory.summary
    if summary["outcome"] != "failed":
        problems.append(f"outcome {summary['outcome']!r}, expected 'failed'")
    if message not in str(summary.get("error")) or "\n" in str(summary.get("error")):
        problems.append(f"summary error {summary.get('error')!r} does not name the listener's error")
    if summary["consumed"] + summary["discarded"] != summary["produced"]:
        problems.append(f"lost widgets: {summary}")
    prefix_problems = [p for p in check_stream(events, prefix_ok=True) if "numbers taken are not 1..m" not in p]
    problems += prefix_problems
    assert not problems, f"listener failing at {event_type}: {problems}"


def test_a_listener_failing_many_times_is_reported_once(monkeypatch):
    # a listener that fails on every event: one failure ends the run; one message
    calls = []

    def listener(event):
        calls.append(event["type"])
        raise ValueError("bad listener")

    before = engine_threads()
    factory, _ = run_bounded(Config(n=1000, p=8, c=8, seed=2), listener)
    assert calls == ["run_started"], calls  # detached after its first failure
    assert factory.summary["outcome"] == "failed"
    assert factory.summary["error"] == "event listener: ValueError: bad listener"
    assert not leaked_threads(factory, before)
