"""Cancel, interrupt, pause and faults: every run ends and joins its threads."""

import threading
import time

from factory_tui.engine import Config, Factory
from factory_tui.invariants import check_stream


def _live(config: Config):
    events: list[dict] = []
    factory = Factory(config, events.append)
    factory.start()
    return factory, events


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def test_cancel_wakes_every_wait_and_joins_every_thread(no_leaked_threads):
    # slow consumers, a full buffer and producers blocked on it: every kind of wait
    factory, events = _live(Config(n=10_000, p=16, c=4, buffer=2, consume_ms=50))
    assert _wait_for(lambda: any(e["type"] == "producer_blocked" for e in events))
    factory.cancel()
    assert factory.join(2.0)
    assert not factory.alive_threads()
    assert events[-1]["summary"]["outcome"] == "cancelled"
    assert not check_stream(events)  # still a whole, consistent stream


def test_cancel_during_a_zero_delay_flood(no_leaked_threads):
    for _ in range(20):
        factory, events = _live(Config(n=1_000_000, p=4, c=4, buffer=50))
        time.sleep(0.01)
        factory.cancel()
        assert factory.join(2.0)
        assert events[-1]["type"] == "run_finished"
        assert not check_stream(events)


def test_cancel_before_any_widget(no_leaked_threads):
    factory = Factory(Config(n=5, produce_ms=1000), None)
    factory.start()
    factory.cancel()
    assert factory.join(2.0)
    assert factory.summary["outcome"] == "cancelled"


def test_interrupt_stops_production_and_drains(no_leaked_threads):
    factory, events = _live(Config(n=100_000, p=2, c=2, buffer=10, produce_ms=1, consume_ms=1))
    assert _wait_for(lambda: factory.recorder.consumed > 5)
    factory.interrupt()
    assert factory.join(5.0)
    summary = events[-1]["summary"]
    assert summary["outcome"] == "cancelled"
    assert summary["produced"] < 100_000
    assert summary["consumed"] == summary["produced"]  # drained, nothing lost
    assert summary["after_stop"] <= 2
    stops = [e for e in events if e["type"] == "stop_signalled"]
    assert len(stops) == 1 and stops[0]["consumer"] is None
    assert not check_stream(events)


def test_pause_holds_the_counts_still(no_leaked_threads):
    factory, events = _live(Config(n=1_000_000, p=2, c=2, buffer=10))
    assert _wait_for(lambda: factory.recorder.consumed > 100)
    factory.pause()
    time.sleep(0.1)  # let in-flight steps land
    before = (factory.recorder.produced, factory.recorder.consumed)
    time.sleep(0.5)
    assert (factory.recorder.produced, factory.recorder.consumed) == before
    factory.resume()
    assert _wait_for(lambda: factory.recorder.consumed > before[1])
    factory.cancel()
    assert factory.join(2.0)


def test_a_failing_listener_ends_the_run_failed_with_all_threads_joined(no_leaked_threads):
    calls = {"n": 0}

    def listener(event):
        calls["n"] += 1
        if event["type"] == "widget_consumed" and event["number"] == 5:
            raise RuntimeError("listener broke")

    factory = Factory(Config(n=1000, p=2, c=2, buffer=4), listener)
    factory.start()
    assert factory.join(5.0)
    assert factory.summary["outcome"] == "failed"
    assert "listener broke" in factory.summary["error"]
    assert not factory.alive_threads()


def test_speed_scales_every_delay():
    factory = Factory(Config(n=1, produce_ms=200), None)
    waited = []
    factory.pacing._cancelled.wait = lambda seconds: waited.append(seconds) or False
    factory.set_speed(4.0)
    factory.pacing.sleep(0.2)
    factory.set_speed(0.5)
    factory.pacing.sleep(0.2)
    assert waited == [0.05, 0.4]


def test_jitter_stays_within_its_band_and_repeats_with_the_seed():
    import random

    factory = Factory(Config(n=1, produce_ms=100, jitter=0.5, seed=3), None)
    delays = [factory._delay(random.Random(1), 100) for _ in range(200)]
    assert all(0.05 <= d <= 0.15 for d in delays)
    again = Factory(Config(n=1, produce_ms=100, jitter=0.5, seed=3), None)
    assert [again._delay(random.Random(1), 100) for _ in range(200)] == delays


def test_step_lets_exactly_one_widget_through_while_paused(no_leaked_threads):
    factory, events = _live(Config(n=100_000, p=2, c=2, buffer=10, produce_ms=1, consume_ms=1))
    assert _wait_for(lambda: factory.recorder.consumed > 20)
    factory.pause()
    time.sleep(0.2)
    for _ in range(3):
        produced, consumed = factory.recorder.produced, factory.recorder.consumed
        factory.step()
        assert _wait_for(lambda: factory.recorder.consumed == consumed + 1)
        time.sleep(0.1)  # nothing more may follow
        assert factory.recorder.consumed == consumed + 1
        assert factory.recorder.produced - produced <= 1
    factory.cancel()
    assert factory.join(2.0)


def test_compare_runs_every_strategy_with_the_same_seed():
    from factory_tui.compare import compare, table

    results = compare(Config(n=300, p=2, c=2, k=10, buffer=20, consume_ms=1, seed=9))
    assert [r["stop"] for r in results] == ["drain", "strict", "abort"]
    assert {r["seed"] for r in results} == {9}
    drain, strict, abort = results
    assert drain["after_stop"] <= 2 and strict["after_stop"] <= 1
    assert drain["discarded"] == strict["discarded"] == 0
    assert abort["outcome"] == "aborted" and abort["discarded"] > 0
    text = table(results).splitlines()
    assert len(text) == 4 and text[0].split()[:3] == ["stop", "outcome", "produced"]


def test_latency_histogram_percentiles_are_close():
    from factory_tui.engine.stats import LatencyHistogram

    hist = LatencyHistogram()
    values = [i / 1000 for i in range(1, 1001)]  # 1ms .. 1s
    for v in values:
        hist.add(v)
    assert abs(hist.percentile(0.5) - 0.5) / 0.5 < 0.05
    assert abs(hist.percentile(0.95) - 0.95) / 0.95 < 0.05
    assert hist.high == 1.0 and hist.low == 0.001
    assert abs(hist.mean - sum(values) / len(values)) < 1e-12
    assert sum(n for _, n in hist.bins(10)) == 1000


def test_a_listener_failing_on_the_first_event_ends_the_run_failed(no_leaked_threads):
    def listener(event):
        raise OSError(28, "No space left on device")

    factory = Factory(Config(n=100, p=4, c=4), listener)
    factory.start()
    assert factory.join(5.0), "the run must end, not hang"
    assert factory.summary["outcome"] == "failed"
    assert "No space left on device" in factory.summary["error"]
    assert not factory.alive_threads()


def test_an_interrupt_after_the_run_finished_adds_nothing(no_leaked_threads):
    events: list[dict] = []
    factory = Factory(Config(n=20, p=2, c=2), events.append)
    factory.run()
    count = len(events)
    factory.interrupt()
    assert len(events) == count and events[-1]["type"] == "run_finished"
    assert factory.summary["outcome"] == "completed"


def test_an_interrupt_after_the_broken_widget_keeps_the_outcome(no_leaked_threads):
    factory, events = _live(Config(n=100_000, k=5, p=2, c=2, produce_ms=1, consume_ms=1))
    assert _wait_for(lambda: any(e["type"] == "stop_signalled" for e in events))
    factory.interrupt()
    assert factory.join(5.0)
    assert factory.summary["outcome"] == "stopped"
    assert sum(e["type"] == "stop_signalled" for e in events) == 1


def test_a_delay_beyond_the_platform_limit_waits_until_cancel():
    factory = Factory(Config(n=1, produce_ms=1e300), None)
    waited = []
    factory.pacing._cancelled.wait = lambda seconds: waited.append(seconds) or False
    factory.pacing.sleep(1e297)
    assert waited == [threading.TIMEOUT_MAX]
