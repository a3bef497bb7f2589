"""The command line, run as a person runs it: a real process, real exit codes."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from factory_tui.invariants import check_stream

CONSUMES = re.compile(
    r"^consumer_\d+ consumes \[id=(\d+) source=producer_\d+ time=\d\d:\d\d:\d\d\.\d{6} broken=false\] "
    r"in \d+(\.\d+)?(ns|µs|ms|s) time$"
)
BROKEN = re.compile(
    r"^consumer_\d+ found a broken widget \[id=(\d+) source=producer_\d+ time=\d\d:\d\d:\d\d\.\d{6} "
    r"broken=true\] -- stopping production$"
)
SUMMARY = re.compile(
    r"^summary: produced=\d+ consumed=\d+ discarded=\d+ broken=(\d+|none) after_broken=\d+ "
    r"after_stop=\d+ stop=(drain|strict|abort) outcome=\w+ elapsed=\d+\.\d{4}s"
    r"( widgets_per_s=\d+ latency_p50=\S+ latency_p95=\S+ latency_max=\S+)? seed=\d+$"
)


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "factory_tui", *args], capture_output=True, text=True,
                          timeout=timeout, encoding="utf-8")


def test_text_run_with_a_broken_widget():
    result = cli("run", "-n", "10", "-p", "1", "-c", "1", "-k", "3")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert 3 <= len(lines) <= 10
    broken = [line for line in lines if BROKEN.match(line)]
    assert len(broken) == 1 and BROKEN.match(broken[0]).group(1) == "3"
    assert all(CONSUMES.match(line) or BROKEN.match(line) for line in lines)
    summary = result.stderr.strip().splitlines()
    assert len(summary) == 1 and SUMMARY.match(summary[0])
    assert "broken=3" in summary[0] and "outcome=stopped" in summary[0]


def test_text_run_without_a_broken_widget_consumes_every_id_once():
    result = cli("run", "-n", "500", "-p", "3", "-c", "2")
    assert result.returncode == 0
    ids = [int(CONSUMES.match(line).group(1)) for line in result.stdout.splitlines()]
    assert sorted(ids) == list(range(1, 501))
    assert "produced=500 consumed=500" in result.stderr


@pytest.mark.parametrize("args", [
    ("-n", "200", "-p", "4", "-c", "3", "-k", "50", "-b", "2"),
    ("-n", "0",),
    ("-n", "100", "-p", "64", "-c", "1", "-k", "100", "--buffer", "1"),
    ("-n", "100", "-k", "30", "--stop", "strict"),
    ("-n", "100", "-k", "30", "--stop", "abort", "--consume-ms", "1"),
    ("-n", "100", "-k", "30", "--id-buffer", "100"),
])
def test_jsonl_stream_satisfies_every_invariant(args):
    result = cli("run", *args, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["type"] == "run_started" and events[-1]["type"] == "run_finished"
    assert check_stream(events) == []


def test_format_none_prints_only_the_summary():
    result = cli("run", "-n", "1000", "-p", "2", "-c", "2", "--format", "none")
    assert result.returncode == 0
    assert result.stdout == ""
    assert SUMMARY.match(result.stderr.strip())


def test_python_dash_m_and_the_console_script_are_the_same():
    result = cli("run", "-n", "3", "--format", "none")
    assert result.returncode == 0 and "produced=3" in result.stderr


def test_k_above_n_runs_and_warns():
    result = cli("run", "-n", "5", "-k", "9")
    assert result.returncode == 0
    assert "warning: -k 9 is above -n 5: no widget will be broken" in result.stderr
    assert len(result.stdout.splitlines()) == 5


@pytest.mark.parametrize("args, words", [
    (("-n", "abc"), "-n: 'abc' is not a whole number"),
    (("-n", "-1"), "-n: '-1' is too small"),
    (("-n", "1000000001"), "-n: '1000000001' is too large"),
    (("-n", "1e3"), "-n: '1e3' is not a whole number"),
    (("-p", "0"), "-p: '0' is too small"),
    (("-p", "513"), "-p: '513' is too large"),
    (("-c", "0"), "-c: '0' is too small"),
    (("-c", "1.5"), "-c: '1.5' is not a whole number"),
    (("-k", "x"), "-k: 'x' is not a whole number"),
    (("-b", "0"), "-b/--buffer: '0' is too small"),
    (("--buffer", "-3"), "-b/--buffer: '-3' is too small"),
    (("--id-buffer", "-1"), "--id-buffer: '-1' is too small"),
    (("--stop", "never"), "--stop: 'never' is not a known choice"),
    (("--produce-ms", "-1"), "--produce-ms: '-1' is too small"),
    (("--consume-ms", "soon"), "--consume-ms: 'soon' is not a number"),
    (("--jitter", "1.01"), "--jitter: '1.01' is too large"),
    (("--seed", "abc"), "--seed: 'abc' is not a whole number"),
    (("--format", "xml"), "argument --format: invalid choice: 'xml'"),
    (("--frobnicate",), "unrecognized arguments: --frobnicate"),
    (("-n",), "argument -n: expected one argument"),
    (("-n", "99999999999999999999999999999999"), "is too large"),
])
def test_bad_usage_exits_2_with_one_line(args, words):
    result = cli("run", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_usage_of_the_ui_exits_2_before_any_screen():
    result = cli("-p", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "factory-tui: -p: '0' is too small; allowed: a whole number from 1 to 512"]


def _start(*args):
    return subprocess.Popen([sys.executable, "-m", "factory_tui", "run", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _wait_for_output(proc):
    # the run has started once the first consumption line is out
    line = proc.stdout.readline()
    assert line


def test_ctrl_c_stops_production_drains_and_exits_130():
    proc = _start("-n", "1000000", "-p", "2", "-c", "2", "--produce-ms", "1", "--consume-ms", "1")
    _wait_for_output(proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    summary = [line for line in err.splitlines() if line.startswith("summary:")]
    assert len(summary) == 1 and "outcome=cancelled" in summary[0]
    produced = int(re.search(r"produced=(\d+)", summary[0]).group(1))
    consumed = int(re.search(r"consumed=(\d+)", summary[0]).group(1))
    assert produced == consumed < 1_000_000
    assert "Traceback" not in err


def test_a_second_ctrl_c_quits_at_once_with_130():
    proc = _start("-n", "1000000", "-p", "2", "-c", "1", "--consume-ms", "200", "-b", "100")
    _wait_for_output(proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert "Traceback" not in err


def test_record_writes_a_trace_that_loads(tmp_path):
    from factory_tui.trace import load_trace

    path = tmp_path / "run.jsonl"
    result = cli("run", "-n", "50", "-p", "2", "-c", "2", "-k", "20", "--format", "none", "--record", str(path))
    assert result.returncode == 0
    events = load_trace(path)
    assert events[-1]["summary"]["broken"] == 20


def test_record_to_an_unwritable_place_is_bad_usage(tmp_path):
    result = cli("run", "-n", "5", "--record", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert result.returncode == 2
    assert "--record" in result.stderr and "Traceback" not in result.stderr


def test_run_compare_prints_three_rows():
    result = cli("run", "--compare", "-n", "200", "-p", "2", "-c", "2", "-k", "10", "--consume-ms", "1", "--seed", "4")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("compare: n=200 p=2 c=2 k=10") and "seed=4" in lines[0]
    assert lines[1].split()[0] == "stop"
    assert [line.split()[0] for line in lines[2:]] == ["drain", "strict", "abort"]


def test_prefilled_id_channel_versus_hand_off():
    import json as _json

    full = cli("run", "-n", "400", "-p", "2", "-c", "2", "-k", "10", "--id-buffer", "400", "--format", "jsonl")
    hand = cli("run", "-n", "400", "-p", "2", "-c", "2", "-k", "10", "--id-buffer", "0", "--format", "jsonl")
    full_summary = _json.loads(full.stdout.splitlines()[-1])["summary"]
    hand_summary = _json.loads(hand.stdout.splitlines()[-1])["summary"]
    assert full_summary["produced"] == 400
    assert hand_summary["after_stop"] <= 2 and hand_summary["produced"] < 400


def test_summary_line_has_throughput_and_latency():
    result = cli("run", "-n", "100", "--format", "none")
    assert re.search(r"widgets_per_s=\d+ latency_p50=\S+ latency_p95=\S+ latency_max=\S+ seed=\d+$",
                     result.stderr.strip())


def test_a_recording_that_cannot_be_written_fails_the_run_without_hanging():
    result = cli("run", "-n", "3", "--record", "/dev/full", timeout=20)
    assert result.returncode == 1
    assert "the run failed: event listener: OSError: [Errno 28] No space left on device" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_record_name_is_bad_usage():
    result = cli("run", "-n", "3", "--record", "")
    assert result.returncode == 2 and "--record: '' is not a file name" in result.stderr


def test_k_may_be_any_integer_however_long():
    result = cli("run", "-n", "5", "-k", "1" * 60, "--format", "none")
    assert result.returncode == 0 and "no widget will be broken" in result.stderr


def test_run_writes_a_chrome_trace(tmp_path):
    path = tmp_path / "run.chrome.json"
    result = cli("run", "-n", "40", "-p", "2", "-c", "2", "-k", "15", "--format", "none", "--chrome-trace", str(path))
    assert result.returncode == 0, result.stderr
    trace = json.loads(path.read_text())
    names = {e["args"]["name"] for e in trace["traceEvents"] if e.get("ph") == "M" and e.get("name") == "thread_name"}
    assert {"producer_1", "producer_2", "consumer_1", "consumer_2"} <= names


def test_replay_writes_a_chrome_trace_of_the_file_before_opening(tmp_path):
    record = tmp_path / "run.jsonl"
    cli("run", "-n", "20", "--format", "none", "--record", str(record))
    bad = cli("replay", str(record), "--chrome-trace", str(tmp_path / "no" / "dir.json"))
    assert bad.returncode == 2 and "--chrome-trace" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("args, words", [
    (("--port", "abc"), "--port: 'abc' is not a port"),
    (("--port", "70000"), "--port: '70000' is not a port"),
    (("-p", "0"), "-p: '0' is too small"),
])
def test_serve_refuses_bad_usage_before_listening(args, words):
    result = cli("serve", *args)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
