"""Shared by the reliability tests and benchmarks/soak.py: run the engine with a
bound on its time, and find engine threads left behind."""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from factory_tui.engine import Config, Factory

# Every thread the engine starts is named one of these.
ENGINE_THREAD = re.compile(r"(producer_\d+|consumer_\d+|id_generator|factory-supervisor|factory-canceller)")

# No run of the reliability tests needs more than a second or two; a run that
# has not ended after this long is a hang, and fails the test.
RUN_TIMEOUT_S = 30.0


def engine_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive() and ENGINE_THREAD.fullmatch(t.name)}


class Hang(AssertionError):
    pass


def run_bounded(
    config: Config,
    listener: Callable[[dict], None] | None = None,
    timeout: float = RUN_TIMEOUT_S,
) -> tuple[Factory, list[dict]]:
    """Run `config` in the factory's own supervisor thread and wait at most
    `timeout` seconds. A run that does not end is cancelled and raises Hang
    (an AssertionError), so a hang fails the test instead of blocking it.
    Returns the factory and the events collected (by `listener` if given,
    which must then collect them itself; else here)."""
    events: list[dict] = []
    factory = Factory(config, listener if listener is not None else events.append)
    factory.start()
    if not factory.join(timeout):
        tail = [e.get("type") for e in events[-5:]]
        factory.cancel()
        ended_after_cancel = factory.join(5.0)
        raise Hang(
            f"run did not end within {timeout}s (ended after cancel: {ended_after_cancel}); "
            f"config={config}; last events={tail}"
        )
    return factory, events


def leaked_threads(factory: Factory, before: set[threading.Thread], grace: float = 5.0) -> list[str]:
    """Names of engine threads started since `before` that are still alive
    once the run has ended. The supervisor (which sets `done` a moment before
    its thread returns) gets `grace` seconds to finish; every worker and
    helper must already be gone: the run joins them before run_finished."""
    supervisor = getattr(factory, "_supervisor", None)
    if supervisor is not None:
        supervisor.join(grace)
    return sorted(t.name for t in engine_threads() - before)


def describe(config: Config) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.to_dict().items())


def summary_of(events: list[dict]) -> dict[str, Any]:
    assert events and events[-1]["type"] == "run_finished", "the stream has no run_finished"
    return events[-1]["summary"]
