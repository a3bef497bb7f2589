"""What the numbers mean: throughput and occupancy over time, and Little's law.

Pure and folded from the event stream like the rest of the model (RunState
calls it), in constant memory: time series keep at most `BINS` bins and double
their bin width when a run outgrows them; only widgets in the buffer are
remembered (for their time in it).

Little's law for the buffer: over any stretch of time, the time-average number
of widgets in the buffer (L) equals the rate at which widgets leave it (lambda)
times the mean time each spent in it (W). Over a run that starts and ends with
an empty buffer the two sides are equal exactly; mid-run they differ by the
widgets still inside. Seeing both makes plain why a buffer fills: when
consumers are slower, W grows, and so does L.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BINS = 120


@dataclass
class TimeSeries:
    """Sums of a quantity per time bin, from t=0; the bin width doubles as needed."""

    width: float = 0.05  # seconds per bin
    bins: list = field(default_factory=list)

    def add(self, t: float, amount: float) -> None:
        index = int(t / self.width)
        while index >= BINS:  # fold pairs of bins together: constant memory
            self.bins = [sum(self.bins[i:i + 2]) for i in range(0, len(self.bins), 2)]
            self.width *= 2
            index = int(t / self.width)
        if index >= len(self.bins):
            self.bins.extend([0.0] * (index + 1 - len(self.bins)))
        self.bins[index] += amount

    def spread(self, start: float, end: float, level: float) -> None:
        """Add `level` x time over [start, end), split across the bins it covers."""
        while start < end:
            width = self.width
            bin_end = (int(start / width) + 1) * width
            if bin_end <= start:  # float rounding put start on a boundary: always move on
                bin_end = start + width
            bin_end = min(end, bin_end)
            self.add(start, level * (bin_end - start))
            start = bin_end

    def rates(self, until: float) -> list[float]:
        """Per-second rates per bin (the last bin only counts up to `until`).
        A last bin less than half full is left out: a rate over a sliver of
        time would show as a spike."""
        out = []
        for index, amount in enumerate(self.bins):
            span = min(self.width, max(until - index * self.width, 1e-9))
            if span < self.width / 2 and index == len(self.bins) - 1 and index > 0:
                break
            out.append(amount / span)
        return out

    def copy(self) -> "TimeSeries":
        return TimeSeries(self.width, list(self.bins))


@dataclass
class Insights:
    consumed_over_time: TimeSeries = field(default_factory=TimeSeries)  # widgets per bin
    occupancy_over_time: TimeSeries = field(default_factory=TimeSeries)  # widget-seconds per bin
    occupancy_area: float = 0.0  # integral of occupancy over time, widget-seconds
    last_change_t: float = 0.0
    occupancy: int = 0
    entered_at: dict = field(default_factory=dict)  # widgets in the buffer: number -> t put
    departures: int = 0  # widgets that left the buffer (taken or discarded)
    wait_total: float = 0.0  # their total time in the buffer

    def _occupancy_to(self, t: float, occupancy: int) -> None:
        if t > self.last_change_t:
            self.occupancy_area += self.occupancy * (t - self.last_change_t)
            self.occupancy_over_time.spread(self.last_change_t, t, self.occupancy)
            self.last_change_t = t
        self.occupancy = occupancy

    def put(self, t: float, number: int, occupancy: int) -> None:
        self._occupancy_to(t, occupancy)
        self.entered_at[number] = t

    def left(self, t: float, number: int, occupancy: int) -> None:
        """A widget left the buffer (taken or discarded)."""
        self._occupancy_to(t, occupancy)
        entered = self.entered_at.pop(number, None)
        if entered is not None:
            self.departures += 1
            self.wait_total += t - entered

    def consumed(self, t: float) -> None:
        self.consumed_over_time.add(t, 1.0)

    # -- what the panel shows ---------------------------------------------------
    def mean_occupancy(self, now: float) -> float:
        """L: the time-average number of widgets in the buffer, from t=0 to now."""
        if now <= 0:
            return 0.0
        area = self.occupancy_area + self.occupancy * max(0.0, now - self.last_change_t)
        return area / now

    def departure_rate(self, now: float) -> float:
        """lambda: widgets leaving the buffer per second."""
        return self.departures / now if now > 0 else 0.0

    def mean_wait(self) -> float:
        """W: mean time a widget spent in the buffer."""
        return self.wait_total / self.departures if self.departures else 0.0

    def occupancy_levels(self, now: float) -> list[float]:
        """The time-average occupancy in each bin (the open interval counted to now)."""
        series = self.occupancy_over_time.copy()
        if now > self.last_change_t:
            series.spread(self.last_change_t, now, self.occupancy)
        return series.rates(now)

    def copy(self, with_contents: bool = True) -> "Insights":
        """A copy for a view; a view needs no per-widget entry times (which
        can be as many as the buffer holds), so `with_contents=False` skips them."""
        return Insights(self.consumed_over_time.copy(), self.occupancy_over_time.copy(), self.occupancy_area,
                        self.last_change_t, self.occupancy, dict(self.entered_at) if with_contents else {},
                        self.departures, self.wait_total)
