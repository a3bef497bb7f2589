"""Every invariant of SPEC section 3, checked over a whole event stream.

Used by the tests (over many live runs) and by `replay` (a trace that breaks an
invariant is refused). Pure: no threads, no I/O. Returns readable violations,
each naming the seq where the stream went wrong.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable


def check_stream(events: Iterable[dict[str, Any]], prefix_ok: bool = False) -> list[str]:
    """All violations in `events`. With `prefix_ok`, a stream that stops before
    run_finished (a recording cut short) is checked only for what it contains."""
    events = list(events)
    problems: list[str] = []

    def bad(event: dict[str, Any] | None, message: str) -> None:
        where = f"seq {event.get('seq')}: " if event else ""
        problems.append(where + message)

    if not events:
        return ["the stream is empty"]
    first, last = events[0], events[-1]
    if first.get("type") != "run_started":
        bad(first, "the first event is not run_started")
        return problems
    cfg = first["config"]
    n, p, c, k, capacity, id_buffer, stop = (
        cfg["n"], cfg["p"], cfg["c"], cfg["k"], cfg["buffer"], cfg["id_buffer"], cfg["stop"],
    )
    finished = last.get("type") == "run_finished"
    if not finished and not prefix_ok:
        bad(last, "the last event is not run_finished")
    outcome = last.get("summary", {}).get("outcome") if finished else None
    cut_short = outcome in ("cancelled", "failed")

    previous_t = -1.0
    buffer: deque[int] = deque()
    produced: dict[int, int] = {}  # number -> seq
    producer_of: dict[int, str] = {}
    abandoned: set[int] = set()
    taken: dict[int, str] = {}  # number -> consumer holding it
    consumed: set[int] = set()
    discarded: set[int] = set()
    started: dict[str, int] = {}
    exited: dict[str, int] = {}
    broken_found: list[int] = []
    stop_seq: int | None = None
    after_stop = after_broken = 0
    last_producer_exit = 0
    buffer_closed_seq: int | None = None

    for index, event in enumerate(events, start=1):
        seq, t, kind = event.get("seq"), event.get("t"), event.get("type")
        if seq != index:
            bad(event, f"seq should be {index}")
            return problems
        if not isinstance(t, (int, float)) or t < previous_t:
            bad(event, f"t={t!r} decreases (previous {previous_t})")
        else:
            previous_t = t
        if kind in ("run_started",) and index != 1:
            bad(event, "a second run_started")
        if kind == "run_finished" and index != len(events):
            bad(event, "run_finished is not the last event")
        worker = event.get("consumer") or event.get("producer")  # widget_consumed: its consumer
        if kind in ("producer_started", "consumer_started"):
            if worker in started:
                bad(event, f"{worker} started twice")
            started[worker] = seq
        elif kind in ("producer_exited", "consumer_exited"):
            if worker not in started:
                bad(event, f"{worker} exited before it started")
            if worker in exited:
                bad(event, f"{worker} exited twice")
            exited[worker] = seq
            if kind == "producer_exited":
                last_producer_exit = seq
        elif worker is not None:
            if worker not in started or worker in exited:
                bad(event, f"{kind} from {worker}, which is not running")

        if kind == "widget_produced":
            number = event["number"]
            if number in produced:
                bad(event, f"widget {number} produced twice")
            produced[number] = seq
            producer_of[number] = event["producer"]
            if event["broken"] != (number == k):
                bad(event, f"widget {number} has broken={event['broken']}")
            if buffer_closed_seq is not None:
                bad(event, f"widget {number} put after the buffer was closed")
            buffer.append(number)
            if stop_seq is not None:
                after_stop += 1
            if number > k > 0:
                after_broken += 1
        elif kind == "widget_abandoned":
            number = event["number"]
            if number in produced or number in abandoned:
                bad(event, f"widget {number} abandoned after it was produced or abandoned")
            abandoned.add(number)
        elif kind == "widget_taken":
            number = event["number"]
            if not buffer or buffer[0] != number:
                bad(event, f"widget {number} taken but the buffer's oldest is {buffer[0] if buffer else 'nothing'}")
                if number in buffer:
                    buffer.remove(number)
            else:
                buffer.popleft()
            taken[number] = event["consumer"]
        elif kind == "widget_consumed":
            number = event["number"]
            if taken.pop(number, None) != event["consumer"]:
                bad(event, f"widget {number} consumed by {event['consumer']}, which did not take it")
            if number in consumed or number in discarded:
                bad(event, f"widget {number} consumed twice")
            consumed.add(number)
            if producer_of.get(number) != event["producer"]:
                bad(event, f"widget {number} consumed with the wrong producer")
            if event["broken"] != (number == k):
                bad(event, f"widget {number} consumed with broken={event['broken']}")
            if not event["latency_s"] >= 0:
                bad(event, f"widget {number} has a negative latency")
        elif kind == "widget_discarded":
            number = event["number"]
            if number not in produced:
                bad(event, f"widget {number} discarded but never produced")
            if number in consumed or number in discarded:
                bad(event, f"widget {number} discarded after it was consumed or discarded")
            if number in buffer:
                buffer.remove(number)
            else:
                taken.pop(number, None)
            discarded.add(number)
        elif kind == "broken_found":
            broken_found.append(event["number"])
            if event["number"] not in consumed:
                bad(event, "broken_found before that widget was consumed")
        elif kind == "stop_signalled":
            if stop_seq is not None:
                bad(event, "a second stop_signalled")
            stop_seq = seq
        elif kind == "buffer_closed":
            if buffer_closed_seq is not None:
                bad(event, "a second buffer_closed")
            buffer_closed_seq = seq
        if "buffer" in event and kind != "run_started":
            occupancy = event["buffer"]
            if occupancy != len(buffer):
                bad(event, f"buffer={occupancy} but {len(buffer)} widgets are in it")
            if not 0 <= occupancy <= capacity:
                bad(event, f"buffer occupancy {occupancy} outside 0..{capacity}")

    # -- the whole run ----------------------------------------------------------
    numbers = set(produced)
    accounted = numbers | abandoned
    if accounted != set(range(1, len(accounted) + 1)):
        missing = sorted(set(range(1, max(accounted, default=0) + 1)) - accounted)[:5]
        problems.append(f"numbers taken are not 1..m: missing {missing}")
    if len(accounted) > n:
        problems.append(f"{len(accounted)} numbers used but n={n}")
    if stop == "drain" and not cut_short and abandoned:
        problems.append(f"drain abandoned widgets {sorted(abandoned)[:5]}")
    lost = numbers - consumed - discarded
    if finished and lost:
        problems.append(f"widgets produced but never consumed or discarded: {sorted(lost)[:5]}")
    if finished and stop in ("drain", "strict") and not cut_short and discarded:
        problems.append(f"{stop} discarded widgets {sorted(discarded)[:5]}")
    for role, count in (("producer", p), ("consumer", c)):
        for i in range(1, count + 1):
            name = f"{role}_{i}"
            if finished and name not in started:
                problems.append(f"{name} never started")
            if finished and name not in exited:
                problems.append(f"{name} never exited")
    if finished:
        if buffer_closed_seq is None:
            problems.append("the buffer was never closed")
        elif buffer_closed_seq < last_producer_exit:
            problems.append("buffer_closed came before the last producer_exited")
    if len(broken_found) > 1:
        problems.append(f"broken_found {len(broken_found)} times")
    if finished and not cut_short:
        if 1 <= k <= n:
            if broken_found != [k]:
                problems.append(f"expected one broken_found for {k}, got {broken_found}")
            if id_buffer == 0:
                limit = {"drain": p, "strict": 1}.get(stop, p)
                if after_stop > limit:
                    problems.append(f"{after_stop} widgets produced after the stop signal (at most {limit} for {stop})")
        else:
            if len(numbers) != n:
                problems.append(f"k outside 1..n but only {len(numbers)} of {n} widgets produced")
            if broken_found:
                problems.append("broken_found although no widget is broken")
            if outcome != "completed":
                problems.append(f"k outside 1..n but outcome {outcome}")
    if finished:
        summary = last["summary"]
        expected = {
            "produced": len(numbers),
            "consumed": len(consumed),
            "discarded": len(discarded),
            "broken": broken_found[0] if broken_found else None,
            "after_broken": after_broken,
            "after_stop": after_stop,
        }
        for key, value in expected.items():
            if summary.get(key) != value:
                problems.append(f"summary {key}={summary.get(key)!r} but the stream says {value!r}")
    return problems
