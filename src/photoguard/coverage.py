"""What the held-out verdict covers, and what it does not: the one table of the figures behind
"how sure is this?", worded by the CLI's summary, the app's verdict card and the README.

The verdict is one check with one encoder the cloak did not use (:mod:`photoguard.verify`). It
says nothing about face-recognition models of other lineages, about other photos of the person
that are already public (a face-swap tool averages the identity over every source photo it is
given), or about editing apps that change the body and keep the face. How well the cloak carries
to a model it has never seen is estimated by leaving each attacked encoder out of the cloak in
turn (``benchmarks/protection.py``, runs ``LOO <encoder>``); :data:`LEAVE_ONE_OUT` holds those
figures as measured, and ``tests/test_coverage.py`` checks them against
``benchmarks/results/protection.json`` whenever that file is at hand.

Example::

    >>> print(not_covered())  # doctest: +NORMALIZE_WHITESPACE
    not covered: face-recognition models of other kinds (with one of them left out of the cloak,
    medium kept 67-94 % of 18 people from being recognised by it: benchmarks/results/protection.md),
    other photos of the person already public, and editing apps that change the body and keep the face
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LeftOut:
    """One leave-one-out run: the cloak made without ``encoder``, then judged by it.

    Attributes:
        encoder: the encoder left out of the attack (a key of :data:`photoguard.models.encoders.ENCODERS`).
        low, high: share of the people it no longer recognised, %, lowest and highest over the
            channels (as written, JPEG q75, 1280 px + q87, 1080 px + q80).
        said_protected: photos on which the verdict said "protected" while ``encoder`` still
            recognised the person on some channel.
    """

    encoder: str
    low: int
    high: int
    said_protected: int


#: The preset the leave-one-out runs used.
PRESET = "medium"
#: People in the protection benchmark (each photo judged against the person's other photos).
PEOPLE = 18
#: Where the figures come from (the table; the raw records are in ``protection.json`` beside it).
SOURCE = "benchmarks/results/protection.md"
#: The leave-one-out runs, as measured.
LEAVE_ONE_OUT: tuple[LeftOut, ...] = (
    LeftOut("arcface", 67, 78, 5),
    LeftOut("facenet", 72, 78, 4),
    LeftOut("faceres", 89, 94, 1),
)


def transfer_range() -> tuple[int, int]:
    """``(lowest, highest)`` share of people protected from a left-out encoder, %, over every run."""
    return min(r.low for r in LEAVE_ONE_OUT), max(r.high for r in LEAVE_ONE_OUT)


def said_protected_range() -> tuple[int, int]:
    """``(fewest, most)`` photos, of :data:`PEOPLE`, called protected while a left-out encoder still matched."""
    return min(r.said_protected for r in LEAVE_ONE_OUT), max(r.said_protected for r in LEAVE_ONE_OUT)


def not_covered() -> str:
    """The CLI's line on what the verdict does not cover (the README uses the same words)."""
    low, high = transfer_range()
    return (
        f"not covered: face-recognition models of other kinds (with one of them left out of the cloak, "
        f"{PRESET} kept {low}-{high} % of {PEOPLE} people from being recognised by it: {SOURCE}), "
        "other photos of the person already public, and editing apps that change the body and keep the face"
    )
