"""Shared by the tests: run the engine and collect its stream."""

from __future__ import annotations

from factory_tui.engine import Config, Factory
from factory_tui.invariants import check_stream


def run_events(**settings) -> list[dict]:
    events: list[dict] = []
    Factory(Config(**settings), events.append).run()
    return events


def assert_valid(events: list[dict]) -> None:
    problems = check_stream(events)
    assert not problems, problems[:5]
