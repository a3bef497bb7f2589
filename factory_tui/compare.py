"""Run the same settings (same seed) under every shutdown strategy, side by side."""

from __future__ import annotations

import random
from typing import Any, Callable

from .engine.config import STRATEGIES, Config
from .engine.factory import Factory
from .model import brief_duration

COLUMNS = ("stop", "outcome", "produced", "consumed", "discarded", "after_stop", "after_broken",
           "elapsed", "widgets/s", "p50", "p95")


def compare(config: Config, on_result: Callable[[dict[str, Any]], None] | None = None,
            cancelled: Callable[[], bool] = lambda: False,
            on_factory: Callable[[Factory], None] | None = None) -> list[dict[str, Any]]:
    """One run per strategy, one after another (so they do not compete for the
    CPU), all with the same seed. Returns their summaries, with `stop` added."""
    seed = config.seed if config.seed is not None else random.randrange(2**32)
    results = []
    for stop in STRATEGIES:
        if cancelled():
            break
        factory = Factory(config.replace(stop=stop, seed=seed), None)
        if on_factory:
            on_factory(factory)  # so a caller can cancel it
        summary = dict(factory.run())
        if summary["outcome"] == "cancelled":
            break
        summary["stop"] = stop
        summary["seed"] = seed
        results.append(summary)
        if on_result:
            on_result(summary)
    return results


def row(summary: dict[str, Any]) -> tuple[str, ...]:
    elapsed = summary["elapsed_s"]
    rate = summary.get("throughput_per_s")
    p50, p95 = summary.get("latency_p50_s"), summary.get("latency_p95_s")
    return (
        summary["stop"], summary["outcome"], str(summary["produced"]), str(summary["consumed"]),
        str(summary["discarded"]), str(summary["after_stop"]), str(summary["after_broken"]),
        f"{elapsed:.4f}s", f"{rate:,.0f}" if rate else "-",
        brief_duration(p50) if p50 is not None else "-", brief_duration(p95) if p95 is not None else "-",
    )


def table(results: list[dict[str, Any]]) -> str:
    rows = [COLUMNS, *(row(r) for r in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(w) if i > 1 else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    return "\n".join(lines)
