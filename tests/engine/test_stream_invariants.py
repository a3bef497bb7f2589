"""SPEC section 3 holds for live runs over a wide range of configurations."""

import random

import pytest

from factory_tui.engine import Config, Factory
from tests.helpers import assert_valid, run_events


def _sample_configs(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        n = rng.choice([0, 1, 2, 3, 10, 57, 300, 1000, 4000])
        yield dict(
            n=n,
            p=rng.choice([1, 2, 3, 8, 64]),
            c=rng.choice([1, 2, 3, 8, 64]),
            k=rng.choice([-2, -1, 0, 1, max(1, n // 2), n, n + 1]),
            buffer=rng.choice([1, 2, 10, 1000]),
        )


EDGES = [
    dict(n=0, p=1, c=1, k=-1, buffer=1),
    dict(n=0, p=64, c=64, k=0, buffer=10),
    dict(n=1, p=1, c=1, k=1, buffer=1),
    dict(n=10, p=1, c=1, k=3, buffer=10),
    dict(n=10, p=64, c=1, k=10, buffer=1),  # -c 1 with -p 64, k equal to n, buffer 1
    dict(n=500, p=64, c=1, k=250, buffer=1),
    dict(n=500, p=1, c=64, k=1, buffer=1),
    dict(n=10_000, p=64, c=64, k=5_000, buffer=1000),
    dict(n=10_000, p=4, c=4, k=-1, buffer=1),
    dict(n=10_000, p=2, c=2, k=10_001, buffer=100),
]


@pytest.mark.parametrize("stop", ["drain", "strict", "abort"])
@pytest.mark.parametrize("settings", EDGES, ids=lambda s: "-".join(f"{k}{v}" for k, v in s.items()))
def test_edge_configurations(settings, stop, no_leaked_threads):
    assert_valid(run_events(**settings, stop=stop))


@pytest.mark.parametrize("stop", ["drain", "strict", "abort"])
def test_many_sampled_configurations(stop, no_leaked_threads):
    for settings in _sample_configs(60, seed={"drain": 1, "strict": 2, "abort": 3}[stop]):
        events = run_events(**settings, stop=stop)
        problems = __import__("factory_tui.invariants", fromlist=["check_stream"]).check_stream(events)
        assert not problems, (settings, problems[:3])


def test_without_a_broken_widget_every_widget_is_made_and_consumed_once():
    events = run_events(n=500, p=3, c=2, k=-1, buffer=7)
    consumed = [e["number"] for e in events if e["type"] == "widget_consumed"]
    assert sorted(consumed) == list(range(1, 501))
    assert events[-1]["summary"]["outcome"] == "completed"


@pytest.mark.parametrize("p", [1, 2, 8])
def test_drain_over_production_is_at_most_p(p):
    for _ in range(10):
        events = run_events(n=400, p=p, c=2, k=10, buffer=5)
        summary = events[-1]["summary"]
        assert summary["broken"] == 10
        assert summary["after_stop"] <= p
        assert summary["produced"] >= 10


def test_strict_puts_at_most_one_widget_after_the_stop():
    for _ in range(10):
        events = run_events(n=400, p=8, c=2, k=10, buffer=5, stop="strict")
        assert events[-1]["summary"]["after_stop"] <= 1
        assert_valid(events)


def test_a_prefilled_id_channel_makes_every_widget_despite_the_stop():
    events = run_events(n=400, p=2, c=2, k=10, id_buffer=400)
    summary = events[-1]["summary"]
    assert summary["produced"] == 400
    assert summary["consumed"] == 400
    assert summary["broken"] == 10
    assert summary["after_stop"] > 2  # the stop signal did not stop production
    assert_valid(events)


def test_abort_with_a_slow_consumer_reports_discarded_widgets():
    events = run_events(n=50, p=2, c=1, k=5, buffer=20, produce_ms=0.5, consume_ms=8, seed=1, stop="abort")
    summary = events[-1]["summary"]
    assert summary["outcome"] == "aborted"
    assert summary["discarded"] > 0
    discarded = [e["number"] for e in events if e["type"] == "widget_discarded"]
    assert len(discarded) == summary["discarded"]
    assert summary["consumed"] + summary["discarded"] == summary["produced"]
    assert_valid(events)


def test_delays_and_jitter_keep_every_invariant():
    events = run_events(n=60, p=3, c=2, k=20, buffer=3, produce_ms=1, consume_ms=2, jitter=1.0, seed=7)
    assert_valid(events)
    assert events[0]["config"]["seed"] == 7


def test_run_started_records_the_seed_actually_used():
    events = run_events(n=3)
    assert isinstance(events[0]["config"]["seed"], int)
    assert events[0]["t"] == 0.0 or events[0]["t"] < 0.01


def test_seq_and_t_are_assigned_in_one_place_in_order():
    events = run_events(n=2000, p=8, c=8, k=-1, buffer=3)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    times = [e["t"] for e in events]
    assert times == sorted(times)
