"""Recording and replaying: what is recorded replays the same; a bad file is refused in one line."""

import json
import signal
import subprocess
import sys
import time

import pytest

from factory_tui.engine import Config, Factory
from factory_tui.model import fold
from factory_tui.trace import TraceError, TraceWriter, load_trace


@pytest.fixture
def good_trace(tmp_path):
    path = tmp_path / "good.jsonl"
    writer = TraceWriter(path)
    Factory(Config(n=30, p=2, c=2, k=9, buffer=3, seed=1), writer).run()
    writer.close()
    return path


def lines_of(path):
    return path.read_text().splitlines()


def write(tmp_path, lines, name="bad.jsonl", newline=True):
    path = tmp_path / name
    path.write_text("\n".join(lines) + ("\n" if newline else ""))
    return path


def replay(path):
    return subprocess.run([sys.executable, "-m", "factory_tui", "replay", str(path)], capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


def edit(lines, index, change):
    event = json.loads(lines[index])
    change(event)
    out = list(lines)
    out[index] = json.dumps(event)
    return out


def test_a_recorded_run_loads_and_folds_to_its_own_summary(good_trace):
    events = load_trace(good_trace)
    state = fold(events)
    summary = events[-1]["summary"]
    assert (state.phase, state.produced, state.consumed, state.broken) == (
        "finished", summary["produced"], summary["consumed"], summary["broken"])


HOSTILE = {
    "bad JSON": lambda lines: lines[:3] + ["{not json"] + lines[3:],
    "a missing field": lambda lines: edit(lines, 5, lambda e: e.pop("producer", e.pop("consumer", None))),
    "a mistyped field": lambda lines: edit(lines, next(i for i, l in enumerate(lines) if "widget_produced" in l),
                                           lambda e: e.update(number="7")),
    "a boolean where a number goes": lambda lines: edit(lines, next(i for i, l in enumerate(lines)
                                                                     if "widget_produced" in l),
                                                        lambda e: e.update(buffer=True)),
    "a seq gap": lambda lines: lines[:4] + lines[5:],
    "an unknown event type": lambda lines: edit(lines, 6, lambda e: e.update(type="__import__('os')")),
    "a line over 1 MB": lambda lines: lines[:2] + ['{"pad": "' + "x" * 1_100_000 + '"}'] + lines[2:],
    "a broken invariant": lambda lines: edit(lines, next(i for i, l in enumerate(lines) if "widget_taken" in l),
                                             lambda e: e.update(buffer=e["buffer"] + 1)),
    "NaN": lambda lines: edit(lines, 3, lambda e: e.update(t=float("nan"))),
    "not an object": lambda lines: ["[1, 2, 3]"] + lines,
    "no run_started first": lambda lines: lines[1:],
    "a config out of range": lambda lines: edit(lines, 0, lambda e: e["config"].update(p=0)),
    "an unknown strategy": lambda lines: edit(lines, 0, lambda e: e["config"].update(stop="banana")),
    "a jitter above 1": lambda lines: edit(lines, 0, lambda e: e["config"].update(jitter=5.0)),
    "a negative delay": lambda lines: edit(lines, 0, lambda e: e["config"].update(produce_ms=-3)),
    "an unknown outcome": lambda lines: edit(lines, len(lines) - 1, lambda e: e["summary"].update(outcome=["x"])),
    "a text elapsed time": lambda lines: edit(lines, len(lines) - 1, lambda e: e["summary"].update(elapsed_s="1")),
    "JSON nested past the recursion limit": lambda lines: ["[" * 100_000 + "]" * 100_000] + lines,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_exit_2_with_the_line_number(name, good_trace, tmp_path):
    path = write(tmp_path, HOSTILE[name](lines_of(good_trace)))
    result = replay(path)
    assert result.returncode == 2, (name, result.stderr)
    assert result.stdout == ""
    message = result.stderr.strip().splitlines()
    assert len(message) == 1, message
    assert message[0].startswith("factory-tui replay: line "), message
    assert "Traceback" not in result.stderr
    with pytest.raises(TraceError):
        load_trace(path)


@pytest.mark.parametrize("content, words", [
    (b"", "the trace is empty"),
    (b"\x00\xff\xfe garbage \x01", "not valid JSON"),
])
def test_empty_and_binary_files(tmp_path, content, words):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(content)
    result = replay(path)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_a_directory_and_a_missing_file(tmp_path):
    for path, words in ((tmp_path, "is a directory"), (tmp_path / "nope.jsonl", "cannot open")):
        result = replay(path)
        assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_a_recording_cut_short_leaves_a_valid_prefix(tmp_path):
    path = tmp_path / "cut.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "factory_tui", "run", "-n", "100000", "--produce-ms", "1",
                             "--format", "none", "--record", str(path)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < 100_000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    events = load_trace(path)
    assert events[0]["type"] == "run_started" and len(events) > 100
    assert events[-1]["type"] != "run_finished"
    state = fold(events)
    assert state.phase == "running" and state.produced > 0


def test_a_cut_last_line_is_dropped_but_a_bad_line_inside_is_not(good_trace, tmp_path):
    lines = lines_of(good_trace)
    cut = write(tmp_path, lines[:20] + [lines[20][:15]], name="cut.jsonl", newline=False)
    assert len(load_trace(cut)) == 20
    inside = write(tmp_path, lines[:20] + [lines[20][:15]] + lines[21:], name="inside.jsonl")
    with pytest.raises(TraceError, match="line 21"):
        load_trace(inside)


def test_nothing_in_a_trace_is_evaluated(tmp_path, good_trace):
    marker = tmp_path / "pwned"
    lines = lines_of(good_trace)
    payload = edit(lines, 1, lambda e: e.update(consumer=f"__import__('os').system('touch {marker}')"))
    with pytest.raises(TraceError):
        load_trace(write(tmp_path, payload))
    assert not marker.exists()
