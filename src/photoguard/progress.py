"""Progress stages: what :func:`photoguard.protect` (and the app around it) is doing, as data.

A :class:`Stage` is a ``str`` (its English words, for the CLI and logs) that also carries its
key in :data:`STAGES` and the numbers it was made with, so a front end can word it in its own
language without parsing the English back:

    >>> s = Stage("step", i=1, n=2, s=3, steps=30)
    >>> str(s), s.key, s.values["steps"]
    ('cloaking: face 1 of 2, step 3 of 30', 'step', 30)
"""

from __future__ import annotations

from photoguard.keyed import Keyed

#: Stage key -> its English words (``{placeholders}`` filled from the stage's values).
STAGES: dict[str, str] = {
    "start": "starting",
    "reading": "reading",
    "detecting faces": "detecting faces",
    "adding the edit defence": "adding the edit defence",
    "loading the face models": "loading the face models",
    "cloaking": "cloaking {n} face(s)",
    "step": "cloaking: face {i} of {n}, step {s} of {steps}",
    "verifying": "verifying",
    "writing": "writing",
    "done": "done",
    "making previews": "making previews",
    "removing hidden data": "removing hidden data",
}


class Stage(Keyed):
    """One progress stage: ``Stage(key, **values)``; ``key`` must be in :data:`STAGES`.

    Attributes:
        key: the stage's key.
        values: the numbers in its words (``i``, ``n``, ``s``, ``steps``, ...).
    """

    WORDS = STAGES
