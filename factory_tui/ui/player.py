"""Plays a recorded trace at its recorded pace: pure, driven by the UI's clock."""

from __future__ import annotations

from typing import Any


class TracePlayer:
    def __init__(self, events: list[dict[str, Any]]):
        self.events = events
        self.position = 0  # events already played
        self.clock = 0.0  # run time reached, in the trace's seconds

    @property
    def done(self) -> bool:
        return self.position >= len(self.events)

    def rewind(self) -> None:
        self.position = 0
        self.clock = 0.0

    def advance(self, seconds: float) -> list[dict[str, Any]]:
        """Move the clock on; return the events whose time has come."""
        self.clock += seconds
        start = self.position
        events = self.events
        while self.position < len(events) and events[self.position]["t"] <= self.clock:
            self.position += 1
        return events[start:self.position]

    def marks(self) -> dict[str, int]:
        """Positions worth jumping to: just after the event that makes each moment."""
        found: dict[str, int] = {"start": 0, "end": len(self.events)}
        for index, event in enumerate(self.events, start=1):
            kind = event["type"]
            if kind == "broken_found" and "broken" not in found:
                found["broken"] = index
            elif kind == "stop_signalled" and "stop" not in found:
                found["stop"] = index
        return found

    def seek(self, position: int) -> list[dict[str, Any]]:
        """Jump to `position` (events played); return every event up to it, to
        fold again from a fresh state."""
        self.position = max(0, min(len(self.events), position))
        self.clock = self.events[self.position - 1]["t"] if self.position else 0.0
        return self.events[: self.position]

    def step(self) -> list[dict[str, Any]]:
        """One event, whatever its time."""
        if self.done:
            return []
        event = self.events[self.position]
        self.position += 1
        self.clock = max(self.clock, event["t"])
        return [event]
