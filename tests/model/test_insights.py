"""Insights are folded from the stream: checked on the fixed traces and by hand."""

from pathlib import Path

import pytest

from factory_tui.insights import BINS, Insights, TimeSeries
from factory_tui.model import fold
from factory_tui.trace import load_trace

TRACES = Path(__file__).parent.parent / "traces"


@pytest.mark.parametrize("name", ["drain", "prefilled", "many"])
def test_littles_law_holds_exactly_over_a_whole_run(name):
    events = load_trace(TRACES / f"{name}.jsonl")
    state = fold(events)
    insights, now = state.insights, state.t
    L = insights.mean_occupancy(now)
    lam_w = insights.departure_rate(now) * insights.mean_wait()
    assert state.occupancy == 0  # the run ends with an empty buffer ...
    assert L == pytest.approx(lam_w, rel=1e-9)  # ... so the two sides are equal
    assert 0 < L <= state.capacity


def test_mid_run_the_sides_differ_by_the_widgets_still_inside():
    events = load_trace(TRACES / "drain.jsonl")
    state = fold(events[: len(events) // 2])
    insights, now = state.insights, state.t
    assert state.occupancy > 0
    assert insights.mean_occupancy(now) > insights.departure_rate(now) * insights.mean_wait()


def test_throughput_bins_count_every_consumed_widget():
    events = load_trace(TRACES / "many.jsonl")
    state = fold(events)
    series = state.insights.consumed_over_time
    assert sum(series.bins) == state.consumed
    assert len(series.bins) <= BINS


def test_time_series_doubles_its_bins_and_keeps_the_total():
    series = TimeSeries(width=0.05)
    for i in range(10_000):
        series.add(i * 0.01, 1.0)  # 100 s of one widget every 10 ms
    assert len(series.bins) <= BINS
    assert sum(series.bins) == 10_000
    assert series.width >= 100 / BINS
    assert series.rates(100.0)[0] == pytest.approx(100.0)


def test_occupancy_area_by_hand():
    insights = Insights()
    insights.put(0.0, 1, 1)  # one widget for 1 s
    insights.put(1.0, 2, 2)  # two widgets for 1 s
    insights.left(2.0, 1, 1)
    insights.left(3.0, 2, 0)  # widget 2 stayed 2 s
    assert insights.mean_occupancy(4.0) == pytest.approx((1 + 2 + 1) / 4)
    assert insights.mean_wait() == pytest.approx((2 + 2) / 2)
    assert insights.departure_rate(4.0) == pytest.approx(0.5)
    assert insights.mean_occupancy(4.0) == pytest.approx(insights.departure_rate(4.0) * insights.mean_wait())


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.floats(min_value=0, max_value=500, allow_nan=False), min_size=2, max_size=30),
       st.floats(min_value=0.001, max_value=1.0))
def test_spread_always_ends_and_keeps_the_area(points, width):
    # Float rounding once put a boundary exactly on `start` and spread looped forever.
    points = sorted(points)
    series = TimeSeries(width=width)
    total = 0.0
    for start, end in zip(points, points[1:]):
        series.spread(start, end, 2.0)
        total += 2.0 * (end - start)
    assert sum(series.bins) == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert len(series.bins) <= BINS
