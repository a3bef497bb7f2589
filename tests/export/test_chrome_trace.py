"""The Chrome Trace Event Format export, from real runs and recorded traces."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from factory_tui.chrome_trace import chrome_trace, write_chrome_trace
from factory_tui.engine import Config, Factory
from factory_tui.trace import load_trace
from tests.helpers import assert_valid, run_events

TRACES = Path(__file__).resolve().parent.parent / "traces"


def _convert(events: list[dict]) -> dict:
    """Convert and force a JSON round trip: what a viewer reads is what we check."""
    trace = json.loads(json.dumps(chrome_trace(events), allow_nan=False))
    assert set(trace) >= {"traceEvents", "displayTimeUnit"}
    assert trace["displayTimeUnit"] in ("ms", "ns")
    return trace


def _lanes(trace: dict) -> dict[str, int]:
    names = {e["tid"]: e["args"]["name"] for e in trace["traceEvents"]
             if e["ph"] == "M" and e["name"] == "thread_name"}
    assert len(set(names.values())) == len(names), "two lanes with one name"
    return {name: tid for tid, name in names.items()}


def _slices(trace: dict, cat: str) -> list[dict]:
    return [e for e in trace["traceEvents"] if e["ph"] == "X" and e["cat"] == cat]


def _ns(us: float) -> int:
    return round(us * 1000)


def check_chrome(trace: dict, events: list[dict]) -> None:
    """Everything every converted stream satisfies."""
    config = events[0]["config"]
    out = trace["traceEvents"]
    last_us = events[-1]["t"] * 1e6

    # one named lane per producer, per consumer and for the ID generator
    lanes = _lanes(trace)
    expected = {"id_generator", *(f"producer_{i}" for i in range(1, config["p"] + 1)),
                *(f"consumer_{i}" for i in range(1, config["c"] + 1))}
    assert set(lanes) == expected
    assert len(set(lanes.values())) == len(lanes)
    assert any(e["ph"] == "M" and e["name"] == "process_name" for e in out)

    # every event is well formed and in time order (metadata first)
    seen_data = False
    previous = 0.0
    for e in out:
        assert e["pid"] == 1 and isinstance(e["tid"], int)
        if e["ph"] == "M":
            assert not seen_data, "metadata after data"
            continue
        seen_data = True
        assert e["ph"] in ("X", "C", "i"), e
        assert e["ts"] >= 0
        assert e["ts"] >= previous, "traceEvents not sorted by ts"
        previous = e["ts"]
        assert e["ts"] <= last_us + 0.001
        if e["ph"] == "X":
            assert e["dur"] >= 0, e
            assert e["ts"] + e["dur"] <= last_us + 0.001, e
        if e["ph"] == "i":
            assert e["s"] in ("g", "p", "t")

    # one produce slice per widget_produced, on its producer's lane, same number
    produced = [e for e in events if e["type"] == "widget_produced"]
    made = _slices(trace, "produce")
    assert sorted(s["args"]["number"] for s in made) == sorted(e["number"] for e in produced)
    by_number = {s["args"]["number"]: s for s in made}
    for e in produced:
        s = by_number[e["number"]]
        assert s["tid"] == lanes[e["producer"]]
        assert s["args"]["broken"] is e["broken"]
        assert _ns(s["ts"] + s["dur"]) == _ns(round(e["t"] * 1e6, 3))  # ends when it was put

    # one consume slice per widget_consumed, on its consumer's lane, same number
    consumed = [e for e in events if e["type"] == "widget_consumed"]
    used = _slices(trace, "consume")
    assert sorted(s["args"]["number"] for s in used) == sorted(e["number"] for e in consumed)
    by_number = {s["args"]["number"]: s for s in used}
    taken = {e["number"]: e for e in events if e["type"] == "widget_taken"}
    for e in consumed:
        s = by_number[e["number"]]
        assert s["tid"] == lanes[e["consumer"]]
        assert s["args"]["broken"] is e["broken"]
        assert _ns(s["ts"]) == _ns(round(taken[e["number"]]["t"] * 1e6, 3))  # starts when it was taken

    # a blocked slice for each producer_blocked that ended in a put, inside its widget's slice
    blocked_puts = [e["number"] for e in events if e["type"] == "producer_blocked"
                    and e["number"] in {p["number"] for p in produced}]
    blocked = {s["args"]["number"]: s for s in _slices(trace, "blocked")}
    for number in blocked_puts:
        inner, outer = blocked[number], {s["args"]["number"]: s for s in made}[number]
        assert outer["ts"] <= inner["ts"] and _ns(inner["ts"] + inner["dur"]) == _ns(outer["ts"] + outer["dur"])
        assert outer["args"]["blocked_us"] == pytest.approx(inner["dur"], abs=0.002)

    # slices on one lane nest or are disjoint: no partial overlap a viewer would refuse
    per_lane: dict[int, list[tuple[int, int]]] = {}
    for s in out:
        if s["ph"] == "X":
            per_lane.setdefault(s["tid"], []).append((_ns(s["ts"]), _ns(s["ts"] + s["dur"])))
    for spans in per_lane.values():
        spans.sort(key=lambda span: (span[0], -span[1]))
        stack: list[int] = []
        for start, end in spans:
            while stack and stack[-1] <= start:
                stack.pop()
            assert not stack or end <= stack[-1], "slices overlap without nesting"
            stack.append(end)

    # counters: the buffer never above its capacity nor below 0; the ID channel within its own
    buffer_values = [e["args"]["occupancy"] for e in out if e["ph"] == "C" and e["name"] == "buffer"]
    assert buffer_values and all(0 <= v <= config["buffer"] for v in buffer_values)
    ids_values = [e["args"]["held"] for e in out if e["ph"] == "C" and e["name"] == "id channel"]
    assert all(0 <= v <= max(config["id_buffer"], 0) for v in ids_values)
    # the buffer counter follows the stream: 0 at the start, every buffer field,
    # and one less for each widget discarded from the buffer (not from a consumer's hands)
    expected, inside, level = [], set(), 0
    for e in events:
        if e["type"] == "run_started":
            expected.append(0)
        elif e["type"] == "widget_produced":
            inside.add(e["number"])
            level = e["buffer"]
            expected.append(level)
        elif e["type"] == "widget_taken":
            inside.discard(e["number"])
            level = e["buffer"]
            expected.append(level)
        elif e["type"] == "widget_discarded" and e["number"] in inside:
            inside.discard(e["number"])
            level -= 1
            expected.append(level)
    assert buffer_values == expected

    # instants for the moments of the run
    instants = Counter(e["cat"] for e in out if e["ph"] == "i")
    kinds = Counter(e["type"] for e in events)
    assert instants["broken"] == kinds["broken_found"]
    assert instants["discard"] == kinds["widget_discarded"]
    names = Counter(e["name"] for e in out if e["ph"] == "i")
    assert names["stop signalled"] == kinds["stop_signalled"]
    assert names["buffer closed"] == kinds["buffer_closed"]
    assert names["ID channel closed"] == kinds["id_channel_closed"]
    assert sum(n.startswith("run finished") for n in names.elements()) == kinds["run_finished"]


def test_drain_with_a_broken_widget():
    events = run_events(n=60, p=3, c=2, k=7, buffer=3, consume_ms=1, seed=1)
    assert_valid(events)
    trace = _convert(events)
    check_chrome(trace, events)
    out = trace["traceEvents"]
    assert len(_slices(trace, "produce")) == events[-1]["summary"]["produced"]
    assert len(_slices(trace, "consume")) == events[-1]["summary"]["consumed"]
    broken = [s for s in _slices(trace, "consume") if s["args"]["broken"]]
    assert [s["args"]["number"] for s in broken] == [7]
    found = [e for e in out if e["ph"] == "i" and e["cat"] == "broken"]
    assert len(found) == 1 and found[0]["args"]["number"] == 7 and found[0]["tid"] == broken[0]["tid"]
    stop = [e for e in out if e["ph"] == "i" and e["name"] == "stop signalled"]
    assert len(stop) == 1 and stop[0]["s"] == "g" and stop[0]["ts"] >= found[0]["ts"]
    assert any(e["ph"] == "i" and e["name"] == "buffer closed" for e in out)
    assert _slices(trace, "blocked"), "consumers at 1 ms, a buffer of 3: producers must block"
    assert not [s for s in out if s.get("cat", "").endswith(".unfinished")]
    assert trace["otherData"]["summary"]["outcome"] == "stopped"
    # the ID generator's lane: serving IDs until the channel closed
    ids = _slices(trace, "ids")
    assert len(ids) == 1 and ids[0]["tid"] == _lanes(trace)["id_generator"]


def test_abort_with_discarded_widgets():
    events = run_events(n=40, p=2, c=1, k=3, buffer=3, stop="abort", consume_ms=5, seed=2)
    assert_valid(events)
    summary = events[-1]["summary"]
    assert summary["outcome"] == "aborted" and summary["discarded"] > 0
    trace = _convert(events)
    check_chrome(trace, events)
    out = trace["traceEvents"]
    discards = [e for e in out if e["ph"] == "i" and e["cat"] == "discard"]
    assert sorted(e["args"]["number"] for e in discards) == \
        sorted(e["number"] for e in events if e["type"] == "widget_discarded")
    # after the discards the buffer counter reads empty
    assert [e for e in out if e["ph"] == "C" and e["name"] == "buffer"][-1]["args"]["occupancy"] == 0
    abandoned = [e["number"] for e in events if e["type"] == "widget_abandoned"]
    assert sorted(s["args"]["number"] for s in _slices(trace, "produce.abandoned")) == sorted(abandoned)


def test_prefilled_id_channel_counts_down():
    n = 50
    events = run_events(n=n, p=2, c=2, k=5, id_buffer=n, buffer=n, seed=3)
    assert_valid(events)
    trace = _convert(events)
    check_chrome(trace, events)
    held = [e["args"]["held"] for e in trace["traceEvents"] if e["ph"] == "C" and e["name"] == "id channel"]
    started = [e["ids"] for e in events if e["type"] == "widget_started"]
    assert held[:len(started)] == started
    assert max(held) == n - 1 and sorted(started, reverse=True) == started  # it only drains
    assert len(_slices(trace, "produce")) == n  # closing the channel did not stop production


@pytest.mark.parametrize("name", ["drain", "abort", "prefilled", "many"])
def test_recorded_traces(name):
    events = load_trace(TRACES / f"{name}.jsonl")
    trace = _convert(events)
    check_chrome(trace, events)
    assert trace == _convert(events), "the same events must give the same trace"


def test_a_trace_cut_short_closes_open_slices_at_its_last_timestamp():
    events = run_events(n=40, p=2, c=2, k=-1, buffer=2, consume_ms=1, seed=4)
    # cut where a producer and a consumer both have a widget in hand
    cut = None
    open_p: set[str] = set()
    open_c: set[str] = set()
    for i, e in enumerate(events):
        if e["type"] == "widget_started":
            open_p.add(e["producer"])
        elif e["type"] in ("widget_produced", "widget_abandoned"):
            open_p.discard(e["producer"])
        elif e["type"] == "widget_taken":
            open_c.add(e["consumer"])
        elif e["type"] == "widget_consumed":
            open_c.discard(e["consumer"])
        if i > 20 and open_p and open_c:
            cut = i + 1
            break
    assert cut is not None
    prefix = events[:cut]
    trace = _convert(prefix)
    last_us = round(prefix[-1]["t"] * 1e6, 3)
    lanes = _lanes(trace)
    assert {"producer_1", "producer_2", "consumer_1", "consumer_2", "id_generator"} <= set(lanes)
    unfinished = [s for s in trace["traceEvents"] if s["ph"] == "X" and s["args"].get("unfinished")]
    assert {s["tid"] for s in unfinished if s["cat"] == "produce.unfinished"} == {lanes[p] for p in open_p}
    assert {s["tid"] for s in unfinished if s["cat"] == "consume.unfinished"} == {lanes[c] for c in open_c}
    for s in unfinished:
        assert s["dur"] >= 0 and _ns(s["ts"] + s["dur"]) == _ns(last_us)
    assert len(_slices(trace, "produce")) == sum(e["type"] == "widget_produced" for e in prefix)
    assert trace["otherData"]["finished"] is False
    assert not [e for e in trace["traceEvents"] if e["ph"] == "i" and e["name"].startswith("run finished")]
    # a cut through the first few events (even run_started alone) still converts
    for k in range(1, 8):
        _convert(events[:k])
    assert _convert([])["traceEvents"] is not None


def test_a_cancelled_run_with_abandoned_widgets():
    events: list[dict] = []
    factory = Factory(Config(n=10_000, p=8, c=2, buffer=2, produce_ms=2, consume_ms=20), events.append)
    factory.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(e["type"] == "producer_blocked" for e in events):
        time.sleep(0.005)
    factory.cancel()
    assert factory.join(5.0)
    assert events[-1]["summary"]["outcome"] == "cancelled"
    abandoned = [e for e in events if e["type"] == "widget_abandoned"]
    assert abandoned, "a cancel with producers mid-widget must abandon numbers"
    trace = _convert(events)
    check_chrome(trace, events)
    slices = _slices(trace, "produce.abandoned")
    lanes = _lanes(trace)
    assert sorted((s["args"]["number"], s["tid"]) for s in slices) == \
        sorted((e["number"], lanes[e["producer"]]) for e in abandoned)


def test_write_chrome_trace(tmp_path):
    events = run_events(n=5, p=1, c=1, k=2, seed=5)
    path = tmp_path / "run.json"
    write_chrome_trace(events, path)
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert loaded == _convert(events)
    check_chrome(loaded, events)
