"""Time left, from a moving average over the work finished last: the CLI's batch ETA (units are
photos) and the app's "about 40 s left" (units are photos too, fractions of one included).

The rate is the work done over the last :attr:`Eta.window` samples divided by the time they
took, so one slow or fast photo moves the estimate by a fifth, not all of it; between samples the
estimate counts down with the clock, never below the time the unfinished units after the current
one need at that rate.

Example, with a clock that is set by hand::

    >>> now = [0.0]
    >>> eta = Eta(total=10, clock=lambda: now[0])
    >>> eta.remaining() is None  # nothing finished yet: no estimate
    True
    >>> now[0] = 20.0; eta.update(1)
    >>> eta.remaining()
    180.0
    >>> now[0] = 30.0; eta.remaining()  # ten seconds later, no photo finished: it counts down
    170.0
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Eta:
    """Estimated seconds left for ``total`` units of work.

    Args:
        total: units of work in all (photos).
        window: how many of the last samples the rate is averaged over.
        min_span: no estimate while those samples span fewer seconds (progress reported many
            times a second says little about the minutes ahead).
        clock: seconds, monotonic (a fake one in tests).
    """

    def __init__(
        self,
        total: float,
        *,
        window: int = 5,
        min_span: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.total = total
        self.min_span = min_span
        self.clock = clock
        self._samples: deque[tuple[float, float]] = deque([(clock(), 0.0)], maxlen=window + 1)

    @property
    def done(self) -> float:
        """Units finished so far."""
        return self._samples[-1][1]

    def update(self, done: float) -> None:
        """Record that ``done`` units (in all, not more) are finished now."""
        if done > self.done:
            self._samples.append((self.clock(), float(done)))

    def rate(self) -> float | None:
        """Units per second over the last samples, or None before the first unit of progress."""
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        if d1 <= d0 or t1 <= t0 or t1 - t0 < self.min_span:
            return None
        return (d1 - d0) / (t1 - t0)

    def remaining(self) -> float | None:
        """Seconds left, or None while there is no rate yet."""
        rate = self.rate()
        if rate is None:
            return None
        last_time, done = self._samples[-1]
        left = max(self.total - done, 0.0)
        counted_down = left / rate - (self.clock() - last_time)
        floor = max(left - 1.0, 0.0) / rate  # the current unit may run long; the ones after it still take their time
        return max(counted_down, floor)


def seconds_left_words(seconds: float) -> tuple[str, int]:
    """A time left rounded for people, as ``(unit, n)``: ``("s", 5..55)`` in steps of 5 s under a
    minute, else ``("min", minutes)``.

    >>> seconds_left_words(3), seconds_left_words(42), seconds_left_words(95)
    (('s', 5), ('s', 40), ('min', 2))
    """
    if seconds < 57.5:
        return "s", max(5, int(5 * round(seconds / 5)))
    return "min", max(1, round(seconds / 60))
