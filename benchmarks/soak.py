"""Soak test: random runs of the live engine, for as long as you give it.

    .venv/bin/python benchmarks/soak.py                 # 10 minutes
    .venv/bin/python benchmarks/soak.py --minutes 1     # a quick one
    .venv/bin/python benchmarks/soak.py --minutes 60 --seed 42

Each run draws a configuration from the same ranges as the property tests
(tests/reliability/test_properties.py): n 0..2000, p and c 1..64, k -2..n+2,
buffer 1..100, id-buffer 0..n, every strategy (drain, strict, abort), zero or
jittered delays of 0..0.2 ms. About half the runs are left alone; the others
get, from another thread at a random moment, a cancel, an interrupt (Ctrl-C),
an interrupt then a cancel, or a pause then a resume.

For each run it checks:

- violations: `check_stream` over the whole event stream (every SPEC section 3
  invariant), consumed + discarded == produced, and the outcome the run must
  have (an untouched run: `completed`, or `stopped`/`aborted` when widget k
  exists; a cancel: any outcome but `failed`);
- hangs: the run has not ended 30 s after it started (it is then cancelled);
- leaked threads: an engine thread (producer_N, consumer_N, id_generator,
  factory-supervisor, factory-canceller) still alive once the run has ended.

A progress line every 30 s (--progress), each problem on stderr with the
configuration and seed that reproduce it, and a final line:

    soak: 12345 runs, 0 violations, 0 hangs, 0 leaked threads in 600s

Exit code 0 only if all three counts are zero; 1 otherwise; 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factory_tui.engine import STRATEGIES, Config, Factory  # noqa: E402
from factory_tui.invariants import check_stream  # noqa: E402

ENGINE_THREAD = re.compile(r"(producer_\d+|consumer_\d+|id_generator|factory-supervisor|factory-canceller)")
RUN_TIMEOUT_S = 30.0
MAX_DELAY_MS = 0.2
ACTIONS = ("none", "none", "none", "none", "cancel", "interrupt", "interrupt-then-cancel", "pause-resume")


def engine_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive() and ENGINE_THREAD.fullmatch(t.name)}


def random_config(rng: random.Random) -> Config:
    n = rng.choice([rng.randint(0, 2000), rng.randint(0, 50), rng.choice([0, 1, 2, 2000])])
    k = rng.choice([
        rng.randint(-2, n + 2),
        rng.randint(1, n) if n else 0,
        rng.choice([-2, -1, 0, 1, n, n + 1, n + 2]),
    ])
    id_buffer = rng.choice([0, 0, rng.randint(0, n), n])
    delayed = rng.random() < 0.5
    return Config(
        n=n,
        p=rng.choice([rng.randint(1, 64), rng.randint(1, 4)]),
        c=rng.choice([rng.randint(1, 64), rng.randint(1, 4)]),
        k=k,
        buffer=rng.choice([rng.randint(1, 100), rng.randint(1, 3)]),
        id_buffer=id_buffer,
        stop=rng.choice(STRATEGIES),
        produce_ms=rng.uniform(0, MAX_DELAY_MS) if delayed else 0.0,
        consume_ms=rng.uniform(0, MAX_DELAY_MS) if delayed else 0.0,
        jitter=rng.random() if delayed else 0.0,
        seed=rng.randrange(2**32),
    )


def act(factory: Factory, action: str, after_s: float) -> None:
    """The outside world, from its own thread, at a random moment."""
    time.sleep(after_s)
    if action == "cancel":
        factory.cancel()
    elif action == "interrupt":
        factory.interrupt()
    elif action == "interrupt-then-cancel":
        factory.interrupt()
        time.sleep(after_s / 2)
        factory.cancel()
    elif action == "pause-resume":
        factory.pause()
        time.sleep(min(after_s, 0.005))
        factory.resume()


def problems_of(config: Config, action: str, events: list[dict]) -> list[str]:
    problems = check_stream(events)
    if not events or events[-1].get("type") != "run_finished":
        return problems
    summary = events[-1]["summary"]
    if summary["consumed"] + summary["discarded"] != summary["produced"]:
        problems.append(f"consumed {summary['consumed']} + discarded {summary['discarded']} "
                        f"!= produced {summary['produced']}")
    outcome = summary["outcome"]
    if action in ("none", "pause-resume"):
        if config.has_broken:
            expected = "aborted" if config.stop == "abort" else "stopped"
        else:
            expected = "completed"
        if outcome != expected:
            problems.append(f"outcome {outcome}, expected {expected}")
    elif outcome == "failed":
        problems.append(f"outcome failed: {summary.get('error')}")
    return problems


def one_run(config: Config, action: str, after_s: float) -> tuple[list[str], bool, list[str]]:
    """Returns (violations, hung, leaked thread names)."""
    before = engine_threads()
    events: list[dict] = []
    factory = Factory(config, events.append)
    actor = None
    factory.start()
    if action != "none":
        actor = threading.Thread(target=act, args=(factory, action, after_s), name="soak-actor", daemon=True)
        actor.start()
    hung = not factory.join(RUN_TIMEOUT_S)
    if hung:
        factory.cancel()
        factory.join(5.0)
    if actor is not None:
        actor.join(RUN_TIMEOUT_S)
    if factory._supervisor is not None:  # it sets `done` a moment before its thread returns
        factory._supervisor.join(5.0)
    leaked = sorted(t.name for t in engine_threads() - before)
    if hung:
        return [], True, leaked
    return problems_of(config, action, events), False, leaked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the configurations (default: random)")
    parser.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines (default 30)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    print(f"soak: {args.minutes:g} minutes, seed {seed}", flush=True)

    runs = violations = hangs = leaked_count = 0
    reported = 0
    start = time.monotonic()
    deadline = start + args.minutes * 60
    next_progress = start + args.progress

    def line() -> str:
        return (f"soak: {runs} runs, {violations} violations, {hangs} hangs, "
                f"{leaked_count} leaked threads in {time.monotonic() - start:.0f}s")

    interrupted = False
    try:
        while time.monotonic() < deadline:
            config = random_config(rng)
            action = rng.choice(ACTIONS)
            after_s = rng.choice([0.0, rng.uniform(0, 0.002), rng.uniform(0, 0.03)])
            problems, hung, leaked = one_run(config, action, after_s)
            runs += 1
            violations += bool(problems)
            hangs += hung
            leaked_count += len(leaked)
            if (problems or hung or leaked) and reported < 20:
                reported += 1
                what = "; ".join(problems[:3]) if problems else ("hang" if hung else "")
                print(f"soak: PROBLEM in run {runs} ({action} after {after_s:.4f}s) {config}: "
                      f"{what} leaked={leaked}", file=sys.stderr, flush=True)
            if leaked:
                for thread in engine_threads():  # count each leaked thread once
                    thread.join(5.0)
            now = time.monotonic()
            if next_progress <= now < deadline:
                print(line(), flush=True)
                next_progress = now + args.progress
    except KeyboardInterrupt:
        interrupted = True
    print(line(), flush=True)
    if interrupted:
        return 130
    return 0 if violations == hangs == leaked_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
