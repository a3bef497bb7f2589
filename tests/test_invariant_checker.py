"""The checker must catch each kind of broken stream, or the live tests prove nothing."""

import copy

import pytest

from factory_tui.invariants import check_stream
from tests.helpers import run_events


@pytest.fixture(scope="module")
def good():
    events = run_events(n=30, p=2, c=2, k=12, buffer=3, seed=5)
    assert check_stream(events) == []
    return events


def _index(events, kind, nth=0):
    return [i for i, e in enumerate(events) if e["type"] == kind][nth]


def _renumber(events):
    for i, e in enumerate(events, start=1):
        e["seq"] = i
    return events


def test_a_seq_gap(good):
    events = copy.deepcopy(good)
    events[5]["seq"] += 1
    assert any("seq should be" in p for p in check_stream(events))


def test_time_going_backwards(good):
    events = copy.deepcopy(good)
    events[8]["t"] = -1
    assert any("decreases" in p for p in check_stream(events))


def test_a_widget_produced_twice(good):
    events = copy.deepcopy(good)
    i = _index(events, "widget_produced", 2)
    events.insert(i + 1, dict(events[i]))
    assert any("produced twice" in p for p in check_stream(_renumber(events)))


def test_a_lost_widget(good):
    events = copy.deepcopy(good)
    i = _index(events, "widget_consumed", 3)
    del events[i]
    problems = check_stream(_renumber(events))
    assert any("never consumed" in p or "summary consumed" in p for p in problems)


def test_a_wrong_occupancy(good):
    events = copy.deepcopy(good)
    events[_index(events, "widget_produced", 1)]["buffer"] += 1
    assert any("widgets are in it" in p for p in check_stream(events))


def test_consumed_before_produced(good):
    events = copy.deepcopy(good)
    i = _index(events, "widget_produced", 0)
    j = _index(events, "widget_taken", 0)
    events.insert(i, events.pop(j))
    assert check_stream(_renumber(events))


def test_buffer_closed_before_the_last_producer_exits(good):
    events = copy.deepcopy(good)
    i = _index(events, "buffer_closed")
    closed = events.pop(i)
    events.insert(_index(events, "producer_exited", 0), closed)
    assert any("buffer_closed came before" in p for p in check_stream(_renumber(events)))


def test_a_second_broken_found(good):
    events = copy.deepcopy(good)
    i = _index(events, "broken_found")
    events.insert(i + 1, dict(events[i]))
    assert any("broken_found 2 times" in p for p in check_stream(_renumber(events)))


def test_a_summary_that_lies(good):
    events = copy.deepcopy(good)
    events[-1]["summary"]["after_stop"] += 1
    assert any("summary after_stop" in p for p in check_stream(events))


def test_run_finished_not_last(good):
    events = copy.deepcopy(good)
    events.append(dict(events[-2]))
    assert check_stream(_renumber(events))


def test_too_much_over_production_for_drain():
    # p=1: a second widget produced after the stop breaks "at most p"
    events = run_events(n=10, p=1, c=1, k=3, buffer=10, seed=1)
    stop = _index(events, "stop_signalled")
    extra = [e for e in events if e["type"] == "widget_produced"][0]
    assert check_stream(events) == []
    forged = copy.deepcopy(events)
    # relabel widgets 1 and 2 as made after the stop by moving the stop earlier
    forged.insert(_index(forged, "widget_produced", 0), forged.pop(stop))
    assert check_stream(_renumber(forged))
    del extra
