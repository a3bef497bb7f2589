"""Latency statistics in constant memory: a log-scale histogram.

A run of 10^9 widgets cannot keep every latency; 16 buckets per octave keep
percentiles within about 4.4% of the truth, with the minimum, maximum and mean
exact. Pure; shared by the engine's summary and the model.
"""

from __future__ import annotations

import math

BUCKETS_PER_OCTAVE = 16


class LatencyHistogram:
    __slots__ = ("buckets", "count", "total", "low", "high")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.low = math.inf
        self.high = 0.0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LatencyHistogram):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def copy(self) -> "LatencyHistogram":
        twin = LatencyHistogram()
        twin.buckets = dict(self.buckets)
        twin.count, twin.total, twin.low, twin.high = self.count, self.total, self.low, self.high
        return twin

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        if seconds < self.low:
            self.low = seconds
        if seconds > self.high:
            self.high = seconds
        key = int(math.log2(seconds * 1e9) * BUCKETS_PER_OCTAVE) if seconds > 1e-9 else 0
        self.buckets[key] = self.buckets.get(key, 0) + 1

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def percentile(self, fraction: float) -> float | None:
        """The latency below which `fraction` of the widgets fall (None if empty)."""
        if not self.count:
            return None
        rank = max(1, math.ceil(fraction * self.count))
        seen = 0
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            if seen >= rank:
                middle = 2 ** ((key + 0.5) / BUCKETS_PER_OCTAVE) / 1e9 if key else 0.0
                return min(max(middle, self.low), self.high)
        return self.high

    def bins(self, count: int) -> list[tuple[float, int]]:
        """The distribution in `count` equal log-width bins from min to max:
        (upper edge in seconds, widgets)."""
        if not self.count:
            return []
        low, high = max(self.low, 1e-9), max(self.high, 1e-9)
        if high <= low * 1.0001:
            return [(high, self.count)]
        span = math.log(high / low)
        out = [0] * count
        for key, widgets in self.buckets.items():
            value = 2 ** ((key + 0.5) / BUCKETS_PER_OCTAVE) / 1e9 if key else low
            index = int(math.log(max(value, low) / low) / span * count)
            out[min(count - 1, max(0, index))] += widgets
        return [(low * math.exp(span * (i + 1) / count), n) for i, n in enumerate(out)]

    def summary(self) -> dict[str, float | None]:
        return {
            "latency_p50_s": self.percentile(0.50),
            "latency_p95_s": self.percentile(0.95),
            "latency_max_s": self.high if self.count else None,
            "latency_mean_s": self.mean,
        }
