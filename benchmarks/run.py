"""Every performance figure of the README, measured in one run.

    .venv/bin/python benchmarks/run.py            # the whole table (a few minutes)
    .venv/bin/python benchmarks/run.py --quick    # smaller sizes, for a smoke test

This machine is shared and noisy: absolute times drift, so each figure that has
a target is a ratio against a baseline measured in the same run (alternated,
median of 3 where it says so). Nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factory_tui.engine import Config, Factory  # noqa: E402

GO_WIDGETS_PER_S = 347_000  # the original Go program on this machine: -n 1e6 -p 4 -c 4, stdout to /dev/null


# -- 1. engine speed against a bare queue.Queue loop -----------------------------
def bare_loop(n: int, p: int, c: int, capacity: int) -> float:
    """The least a threaded producer/consumer can do: a shared count, a
    queue.Queue, p and c threads. Returns seconds."""
    buffer: queue.Queue = queue.Queue(capacity)
    lock = threading.Lock()
    remaining = [n]
    numbers = iter(range(1, n + 1))

    def produce() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
                number = next(numbers)
            buffer.put(number)

    def consume() -> None:
        while buffer.get() is not None:
            pass

    producers = [threading.Thread(target=produce) for _ in range(p)]
    consumers = [threading.Thread(target=consume) for _ in range(c)]
    started = time.perf_counter()
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    for _ in consumers:
        buffer.put(None)
    for thread in consumers:
        thread.join()
    return time.perf_counter() - started


def engine_run(n: int, p: int, c: int, capacity: int) -> float:
    started = time.perf_counter()
    Factory(Config(n=n, p=p, c=c, buffer=capacity), None).run()  # = run --format none
    return time.perf_counter() - started


def engine_speed(n: int) -> dict:
    engine, bare = [], []
    for _ in range(3):  # alternated, so drift hits both alike
        engine.append(engine_run(n, 4, 4, 100))
        bare.append(bare_loop(n, 4, 4, 100))
    e, b = statistics.median(engine), statistics.median(bare)
    return {"engine_per_s": n / e, "bare_per_s": n / b, "ratio": b / e}


# -- 2. the headless text log, as a person runs it --------------------------------
def headless_log(n: int) -> dict:
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        subprocess.run([sys.executable, "-m", "factory_tui", "run", "-n", str(n), "-p", "4", "-c", "4"],
                       stdout=sink, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    return {"per_s": n / elapsed, "ratio_to_go": n / elapsed / GO_WIDGETS_PER_S, "seconds": elapsed}


# -- 3 and 4. the UI under a flood, and how fast it answers keys meanwhile ------------
async def ui_flood(n: int, workers: int = 2, size=(120, 40), presses: int = 40, until_finished: bool = True) -> dict:
    """Start a zero-delay run in the UI; press a key whenever the last one was
    answered; until the run finishes (or, with until_finished=False, until
    every press was answered)."""
    from factory_tui.ui.app import FactoryApp
    from textual import events

    config = Config(n=n, p=workers, c=workers, k=-1, produce_ms=0, consume_ms=0, jitter=0)
    app = FactoryApp(config)
    answered: list[float] = []
    sent: list[float] = []
    frames: list[float] = []
    original_show = app._show

    def counting_show(frame):
        frames.append(time.perf_counter())
        original_show(frame)

    app._show = counting_show

    def on_faster() -> None:  # the key's action, time-stamped
        answered.append(time.perf_counter())

    async with app.run_test(size=size) as pilot:
        app.action_faster = on_faster
        await pilot.pause(0.2)
        started = time.perf_counter()
        app.action_start()
        while app.state.phase not in ("finished", "cancelled", "failed") or app.bridge.running:
            if len(sent) < presses and len(sent) == len(answered):
                sent.append(time.perf_counter())
                app.post_message(events.Key("plus", "+"))
            await asyncio.sleep(0.02)
            if not until_finished and len(answered) >= presses:
                break
            if time.perf_counter() - started > 600:
                break
        elapsed = time.perf_counter() - started
        await pilot.press("q")
    latencies = sorted((a - s) * 1000 for s, a in zip(sent, answered))
    run_frames = [f for f in frames if started <= f <= started + elapsed]
    return {
        "seconds": elapsed,
        "key_p50_ms": latencies[len(latencies) // 2] if latencies else None,
        "key_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        "keys": len(latencies),
        "frames_per_s": len(run_frames) / elapsed if elapsed else 0,
    }


def ui_against_headless(n: int) -> dict:
    ui = asyncio.run(ui_flood(n))
    headless = statistics.median(engine_run(n, 2, 2, 10) for _ in range(3))
    return {**ui, "headless_seconds": headless, "ratio": ui["seconds"] / headless}


# -- 5. memory: peak RSS of the UI after a long flood against a short one -------------
PEAK_RSS = """
import asyncio, resource, sys
sys.path.insert(0, {root!r})
from factory_tui.engine import Config
from factory_tui.ui.app import FactoryApp
async def main():
    app = FactoryApp(Config(n={n}, p=2, c=2, produce_ms=0, consume_ms=0, jitter=0))
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_start()
        while app.state.phase != "finished" or app.bridge.running:
            await asyncio.sleep(0.1)
        await pilot.press("q")
asyncio.run(main())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(n: int) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK_RSS.format(root=str(ROOT), n=n)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


# -- 7. start-up ----------------------------------------------------------------------
FIRST_FRAME = """
import time; started = time.perf_counter()
import asyncio, sys
sys.path.insert(0, {root!r})
from factory_tui.engine.config import UI_DEFAULTS
from factory_tui.ui.app import FactoryApp
async def main():
    app = FactoryApp(UI_DEFAULTS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - started)
        await pilot.press("q")
asyncio.run(main())
"""


def startup() -> dict:
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "factory_tui", "run", "-n", "0"], capture_output=True, check=True,
                       cwd=ROOT)
        runs.append(time.perf_counter() - started)
    textual_loaded = subprocess.run(
        [sys.executable, "-c", "import sys, factory_tui.cli; print('textual' in sys.modules)"],
        capture_output=True, text=True, cwd=ROOT).stdout.strip()
    first = subprocess.run([sys.executable, "-c", FIRST_FRAME.format(root=str(ROOT))], capture_output=True,
                           text=True, check=True, cwd=ROOT)
    return {"run_n0_s": statistics.median(runs), "textual_on_headless_path": textual_loaded == "True",
            "first_frame_s": float(first.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    quick = args.quick
    figures: dict = {}
    rows = []

    def row(what, how, figure, target, met):
        rows.append((what, how, figure, target, "yes" if met else "NO"))
        print(f"  {what}: {figure}", file=sys.stderr, flush=True)

    n = 20_000 if quick else 200_000
    e = figures["engine"] = engine_speed(n)
    row("engine speed", f"run --format none vs bare queue.Queue loop, n={n:,} p=c=4 B=100, median of 3",
        f"{e['engine_per_s']:,.0f}/s vs {e['bare_per_s']:,.0f}/s = **{e['ratio']:.2f}**", ">= 0.8", e["ratio"] >= 0.8)

    n = 100_000 if quick else 1_000_000
    h = figures["headless"] = headless_log(n)
    row("headless log", f"run -n {n:,} -p 4 -c 4 > /dev/null",
        f"{h['per_s']:,.0f}/s = **{h['ratio_to_go']:.2f}** of Go's {GO_WIDGETS_PER_S:,}/s", ">= 0.5",
        h["ratio_to_go"] >= 0.5)

    n = 10_000 if quick else 100_000
    u = figures["ui_flood"] = ui_against_headless(n)
    row("UI under a flood", f"zero delays, n={n:,}, p=c=2: s to finished vs run --format none",
        f"{u['seconds']:.2f}s vs {u['headless_seconds']:.2f}s = **{u['ratio']:.2f}**", "<= 1.2", u["ratio"] <= 1.2)
    row("responsiveness", f"{u['keys']} key presses during that flood; frames drawn",
        f"p99 **{u['key_p99_ms']:.0f} ms** (p50 {u['key_p50_ms']:.0f}); **{u['frames_per_s']:.0f}** frames/s",
        "p99 < 50 ms; >= 20/s", (u["key_p99_ms"] or 1e9) < 50 and u["frames_per_s"] >= 20)

    big, small = (10**5, 10**3) if quick else (10**6, 10**4)
    big_mb, small_mb = peak_rss_mb(big), peak_rss_mb(small)
    figures["memory"] = {"big_mb": big_mb, "small_mb": small_mb}
    row("memory", f"peak RSS of the UI after zero-delay n={big:,} vs n={small:,}",
        f"{big_mb:.0f} MB vs {small_mb:.0f} MB: **{big_mb - small_mb:+.0f} MB**", "< 20 MB apart, < 150 MB",
        big_mb - small_mb < 20 and big_mb < 150)

    m = figures["many"] = asyncio.run(ui_flood(10**9, workers=512, presses=20, until_finished=False))
    row("many workers", "p=c=512 at 120x40, zero delays: key presses answered",
        f"p99 **{m['key_p99_ms']:.0f} ms** (p50 {m['key_p50_ms']:.0f}), {m['frames_per_s']:.0f} frames/s",
        "< 100 ms", (m["key_p99_ms"] or 1e9) < 100)

    s = figures["startup"] = startup()
    row("start-up", "run -n 0 wall time (median of 5); the UI's first frame",
        f"**{s['run_n0_s']:.2f}s** (Textual loaded: {s['textual_on_headless_path']}); first frame "
        f"**{s['first_frame_s']:.2f}s**", "< 0.3 s; < 1 s",
        s["run_n0_s"] < 0.3 and not s["textual_on_headless_path"] and s["first_frame_s"] < 1)

    print(f"\nfactory-tui benchmarks, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}\n")
    print("| what | measured how | figure | target | met |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
