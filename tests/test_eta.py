"""The time-left estimate: a moving average over the photos finished last, with a fake clock.

The issue it answers: a batch of 8 photos that took 3 minutes showed an ETA that jumped
(0:33, 1:55, 1:16, 1:38) and then stood still for 20 s."""

from __future__ import annotations

import itertools

import pytest

from photoguard.eta import Eta, seconds_left_words


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _replay(finishes: list[float], total: int) -> list[tuple[float, int, float | None]]:
    """``(second, photos finished, estimate)`` for every second of a batch whose photos finish at ``finishes``."""
    clock = Clock()
    eta = Eta(total, clock=clock)
    seen, done = [], 0
    for second in range(int(finishes[-1]) + 1):
        clock.now = float(second)
        while done < len(finishes) and finishes[done] <= second:
            done += 1
            eta.update(done)
        seen.append((clock.now, done, eta.remaining()))
    return seen


#: Eight photos at `medium` in about 3 minutes, one at a time; each stops early or late (14-31 s).
ONE_AT_A_TIME = list(itertools.accumulate([25.0, 14.0, 30.0, 18.0, 26.0, 20.0, 31.0, 16.0]))


def test_no_estimate_before_a_photo_is_finished():
    seen = _replay(ONE_AT_A_TIME, 8)
    assert all(estimate is None for _, done, estimate in seen if done == 0)
    assert all(estimate is not None for _, done, estimate in seen if done >= 1)


def test_it_counts_down_while_a_photo_runs_and_never_stands_still():
    seen = _replay(ONE_AT_A_TIME, 8)
    for (_, done0, before), (_, done1, after) in itertools.pairwise(seen):
        if done0 == done1 and done0 >= 1 and before is not None and after is not None:
            assert after <= before, "it never rises between two finished photos"
            floor_reached = before - after < 1.0
            assert before - after == pytest.approx(1.0) or floor_reached


def test_a_finished_photo_moves_the_estimate_by_less_than_a_third():
    seen = _replay(ONE_AT_A_TIME, 8)
    changes = [
        abs(after - before) / before
        for (_, done0, before), (_, done1, after) in itertools.pairwise(seen)
        if done1 > done0 >= 1 and done1 < 8 and before and after is not None
    ]
    assert changes and max(changes) < 1 / 3, changes


def test_it_is_close_to_the_time_that_was_really_left():
    end = ONE_AT_A_TIME[-1]
    for second, done, estimate in _replay(ONE_AT_A_TIME, 8):
        if done >= 1 and end - second >= 30:
            assert estimate is not None and abs(estimate - (end - second)) <= 0.25 * (end - second), second


def test_two_workers_finishing_close_together():
    # With --jobs 2 photos finish in pairs; the average over the last five intervals absorbs it.
    finishes = [20.0, 25.0, 35.0, 55.0, 57.0, 73.0, 85.0, 94.0]
    seen = dict((s, e) for s, _, e in _replay(finishes, 8))
    assert seen[60.0] == pytest.approx(3 * 57 / 5 - 3) and abs(seen[60.0] - (94 - 60)) < 5


def test_fractions_of_a_photo_count_too():
    """The app reports each photo's progress in fractions: the same average, in photos per second."""
    clock = Clock()
    eta = Eta(2, clock=clock)
    for step in range(1, 11):
        clock.now = step * 2.0
        eta.update(step / 10)  # a tenth of the first photo every 2 s
    assert eta.rate() == pytest.approx(0.05) and eta.remaining() == pytest.approx(20.0)
    eta.update(0.5)  # a stale report changes nothing
    assert eta.done == 1.0


def test_words_for_people():
    assert seconds_left_words(0.4) == ("s", 5) and seconds_left_words(12) == ("s", 10)
    assert seconds_left_words(57) == ("s", 55) and seconds_left_words(58) == ("min", 1)
    assert seconds_left_words(150) == ("min", 2) and seconds_left_words(151) == ("min", 3)


def test_no_estimate_from_a_moment():
    """The app's progress arrives many times a second: no estimate until the samples span 3 s."""
    clock = Clock()
    eta = Eta(1, window=20, min_span=3.0, clock=clock)
    clock.now = 0.1
    eta.update(0.05)  # faces found at once: says nothing about the cloak ahead
    assert eta.remaining() is None
    for step in range(1, 11):
        clock.now = 0.1 + step * 0.5
        eta.update(0.05 + step * 0.05)
    assert eta.remaining() == pytest.approx((1 - 0.55) / (0.55 / 5.1))
