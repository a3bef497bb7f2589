"""Make the fixed traces the snapshot tests replay.

Run once, by hand, when a trace needs to change (the tests never run it: a
live run is never the same twice, and snapshots must be):

    .venv/bin/python tests/traces/make_traces.py

Each trace is checked against every invariant before it is kept.
"""

from pathlib import Path

from factory_tui.engine import Config, Factory
from factory_tui.invariants import check_stream
from factory_tui.trace import TraceWriter, load_trace

HERE = Path(__file__).parent

TRACES = {
    # slow consumers: producers block on the full buffer, then the broken widget
    "drain": Config(n=30, p=3, c=2, k=12, buffer=4, produce_ms=20, consume_ms=60, jitter=0.3, seed=1),
    "abort": Config(n=40, p=2, c=1, k=8, buffer=10, produce_ms=5, consume_ms=40, jitter=0.2, seed=2,
                    stop="abort"),
    # the original program's pre-filled ID channel: the stop does not stop production
    "prefilled": Config(n=40, p=2, c=2, k=5, id_buffer=40, buffer=6, produce_ms=10, consume_ms=25,
                        jitter=0.2, seed=3),
    "many": Config(n=300, p=32, c=32, k=150, buffer=16, produce_ms=20, consume_ms=30, jitter=0.5, seed=4),
}


def main() -> None:
    for name, config in TRACES.items():
        path = HERE / f"{name}.jsonl"
        writer = TraceWriter(path)
        Factory(config, writer).run()
        writer.close()
        events = load_trace(path)
        problems = check_stream(events)
        assert not problems, (name, problems)
        print(f"{path.name}: {len(events)} events, {events[-1]['summary']}")


if __name__ == "__main__":
    main()
