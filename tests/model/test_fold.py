"""RunState is a pure fold: the same events give the same state, every time."""

from factory_tui.model import RunState, fold, format_duration
from tests.helpers import run_events


def ev(seq, type_, t=None, **fields):
    return {"seq": seq, "t": seq / 100 if t is None else t, "type": type_, **fields}


CONFIG = dict(n=4, p=1, c=1, k=2, buffer=2, id_buffer=0, stop="drain",
              produce_ms=0, consume_ms=0, jitter=0, seed=1)


def small_trace():
    """A hand-written drain run: widget 2 is broken, widget 3 is made after the stop."""
    e = [
        ev(1, "run_started", t=0.0, config=CONFIG),
        ev(2, "consumer_started", consumer="consumer_1"),
        ev(3, "producer_started", producer="producer_1"),
        ev(4, "consumer_waiting", consumer="consumer_1"),
        ev(5, "widget_started", producer="producer_1", number=1),
        ev(6, "widget_produced", producer="producer_1", number=1, broken=False, buffer=1),
        ev(7, "widget_started", producer="producer_1", number=2),
        ev(8, "widget_produced", producer="producer_1", number=2, broken=True, buffer=2),
        ev(9, "widget_started", producer="producer_1", number=3),
        ev(10, "producer_blocked", producer="producer_1", number=3),
        ev(11, "widget_taken", consumer="consumer_1", number=1, buffer=1),
        ev(12, "widget_consumed", consumer="consumer_1", number=1, producer="producer_1", broken=False, latency_s=0.05),
        ev(13, "widget_taken", consumer="consumer_1", number=2, buffer=0),
        ev(14, "widget_consumed", consumer="consumer_1", number=2, producer="producer_1", broken=True, latency_s=0.06),
        ev(15, "broken_found", consumer="consumer_1", number=2),
        ev(16, "stop_signalled", consumer="consumer_1"),
        ev(17, "id_channel_closed", pending=0),
        ev(18, "widget_produced", producer="producer_1", number=3, broken=False, buffer=1),
        ev(19, "producer_exited", producer="producer_1", reason="stopped"),
        ev(20, "buffer_closed"),
        ev(21, "widget_taken", consumer="consumer_1", number=3, buffer=0),
        ev(22, "widget_consumed", consumer="consumer_1", number=3, producer="producer_1", broken=False, latency_s=0.04),
        ev(23, "consumer_exited", consumer="consumer_1"),
        ev(24, "run_finished", summary=dict(produced=3, consumed=3, discarded=0, broken=2, after_broken=1,
                                             after_stop=1, elapsed_s=0.24, outcome="stopped")),
    ]
    return e


def test_the_trace_is_itself_valid():
    from factory_tui.invariants import check_stream

    assert check_stream(small_trace()) == []


def test_phases_follow_the_run():
    state = RunState()
    assert state.phase == "idle"
    phases = []
    for event in small_trace():
        state.apply(event)
        phases.append(state.phase)
    assert phases[0] == "running"
    assert phases[15] == "stopping"  # stop_signalled
    assert phases[19] == "draining"  # buffer_closed
    assert phases[-1] == "finished"
    assert list(dict.fromkeys(phases)) == ["running", "stopping", "draining", "finished"]


def test_panes_show_state_widget_in_hand_and_count():
    events = small_trace()
    state = fold(events[:10])
    producer = state.producers["producer_1"]
    assert (producer.state, producer.number, producer.count) == ("blocked", 3, 2)
    assert state.consumers["consumer_1"].state == "waiting"
    state = fold(events[:13])
    consumer = state.consumers["consumer_1"]
    assert (consumer.state, consumer.number, consumer.broken) == ("consuming", 2, True)
    state = fold(events)
    assert state.consumers["consumer_1"].found_broken == 2
    assert state.producers["producer_1"].made_broken == 2
    assert state.producers["producer_1"].reason == "stopped"


def test_buffer_contents_and_history():
    events = small_trace()
    state = fold(events[:8])
    assert list(state.buffer) == [1, 2]
    assert state.broken_in_buffer
    state = fold(events[:13])
    assert list(state.buffer) == []
    assert not state.broken_in_buffer
    assert list(fold(events).history) == [0, 1, 2, 1, 0, 1, 0]


def test_counts_match_the_summary_and_mark_over_production():
    state = RunState()
    lines = state.apply_all(small_trace())
    assert (state.produced, state.consumed, state.after_stop, state.after_broken, state.broken) == (3, 3, 1, 1, 2)
    assert any("BROKEN" in line and "#2" in line for line in lines)
    made_3 = [line for line in lines if "made     #3" in line]
    assert made_3 and "over-production" in made_3[0]
    consumed_3 = [line for line in lines if "consumed #3" in line]
    assert "over-production" in consumed_3[0]
    assert not any("over-production" in line for line in lines if "#1 " in line)


def test_the_same_events_fold_to_the_same_state():
    events = run_events(n=200, p=3, c=2, k=50, buffer=4)
    a, b = fold(events), fold(events)
    assert a == b
    assert a.produced == events[-1]["summary"]["produced"]
    assert a.consumed == events[-1]["summary"]["consumed"]
    assert a.after_stop == events[-1]["summary"]["after_stop"]


def test_a_new_run_started_resets_the_state():
    state = fold(small_trace())
    state.apply(ev(1, "run_started", t=0.0, config=CONFIG))
    assert (state.phase, state.produced, state.producers) == ("running", 0, {})


def test_memory_stays_flat_only_widgets_in_flight_are_kept():
    events = run_events(n=3000, p=2, c=2, k=100, buffer=5)
    state = fold(events)
    assert len(state.over) == 0 and len(state.buffer) == 0


def test_snapshot_is_independent_of_the_live_state():
    events = small_trace()
    state = fold(events[:8])
    snap = state.snapshot(buffer_head=1)
    assert snap.occupancy == 2 and list(snap.buffer) == [1]
    state.apply(events[8])
    state.apply(events[9])
    assert snap.producers["producer_1"].state != "blocked"


def test_go_style_durations():
    assert [format_duration(s) for s in (850e-9, 23.702e-6, 1.5e-3, 2.1, 62.5, 0)] == [
        "850ns", "23.702µs", "1.5ms", "2.1s", "1m2.5s", "0s"]
