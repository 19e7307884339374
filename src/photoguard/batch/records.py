"""What the batch engine plans and what it reports: :class:`Job`, :class:`Record`, :class:`Outcome`
and the :class:`Status` a file ends in."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from photoguard.batch.storage import Location
from photoguard.types import Verdict

#: ``progress(fraction, stage)``: how far one file is, for a display.
Progress = Callable[[float, str], None]


class Status(StrEnum):
    """How one file ended (the report's ``status`` column)."""

    DONE = "done"
    SKIPPED = "skipped"
    NO_FACE = "no-face"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


# The short names the engine and the CLI use.
DONE, SKIPPED, NO_FACE, FAILED = Status.DONE, Status.SKIPPED, Status.NO_FACE, Status.FAILED
INTERRUPTED = Status.INTERRUPTED


@dataclass(frozen=True)
class Job:
    """One planned file.

    Attributes:
        src: the input file: a local path, or a :class:`~photoguard.batch.storage.RemotePath`
            (a URI such as ``s3://bucket/key``; read and written through ``pyarrow.fs``).
        dst: where the output goes (``src`` itself with ``--in-place``, local files only).
        alternates: other names the operation may write instead of ``dst`` (a HEIC photo without
            a face keeps its ``.heic`` name); any of them existing counts for ``--skip-existing``.
        skip: why the file is not processed (``"output exists"``), or None.
        error: a failure known before running (reported as ``failed``), or None.
        in_place: replace ``src`` with the result.
        overwrite: the output may replace a file already there (the user named that file, or
            said ``--overwrite``); otherwise a taken name fails the write and nothing is replaced.
    """

    src: Location
    dst: Location
    alternates: tuple[Location, ...] = ()
    skip: str | None = None
    error: str | None = None
    in_place: bool = False
    overwrite: bool = False

    @property
    def is_local(self) -> bool:
        """Whether input and output are local files (not URIs read and written through ``pyarrow.fs``)."""
        return isinstance(self.src, Path) and isinstance(self.dst, Path)


@dataclass
class Record:
    """What happened to one file; one row of the report.

    Attributes:
        path: the input file (its URI for a remote one).
        output: the file written (None when nothing was written; a URI for a remote one).
        status: ``done``, ``skipped``, ``no-face``, ``failed`` or ``interrupted``.
        verdict: the held-out check's answer for the photo (:class:`photoguard.types.Verdict`);
            None for operations without a cloak.
        headline: the same in words, with the counts (``partly protected (1 of 2 faces)``).
        faces: faces found (None for operations that do not look for faces).
        faces_protected: faces cloaked.
        verification: per face: ``{"face", "protected", "encoder", "before", "after", "threshold",
            "still_recognised", "reason"}``; ``before`` is 1.0 (the original against itself),
            ``after`` the held-out encoder's similarity of the protected face to the original.
        psnr: whole-photo PSNR of output vs input, dB (None when the pixels are unchanged).
        face_psnr: PSNR over the largest face, dB.
        seconds: time spent on the file.
        message: one line describing the result.
        error: the error message when ``status`` is ``failed``.
        detail: operation-specific extras (the metadata strip report), JSON only.
    """

    path: str
    output: str | None
    status: Status
    verdict: Verdict | None = None
    headline: str | None = None
    faces: int | None = None
    faces_protected: int | None = None
    verification: list[dict[str, Any]] = field(default_factory=list)
    psnr: float | None = None
    face_psnr: float | None = None
    seconds: float = 0.0
    message: str = ""
    error: str | None = None
    detail: dict[str, Any] | None = None

    @property
    def still_recognised(self) -> int:
        """Protected faces that the held-out encoder still matches to the original."""
        return sum(1 for v in self.verification if v.get("still_recognised"))

    @property
    def fully_protected(self) -> bool:
        """True unless a face of this photo is not verified protected (no face counts as safe)."""
        return self.verdict in (None, Verdict.PROTECTED, Verdict.NO_FACE)


def record_to_json(record: Record) -> str:
    """One record as one line of ASCII JSON (a Ray row, a journal line): a file name that is not
    UTF-8 keeps its ``\\udcXX`` escapes, which :func:`record_from_json` turns back into the same name."""
    return json.dumps(asdict(record))


def record_from_json(text: str) -> Record:
    row = json.loads(text)
    row["status"] = Status(row["status"])
    if row.get("verdict") is not None:
        row["verdict"] = Verdict(row["verdict"])
    return Record(**row)


def not_started(job: Job) -> Record:
    """The record of a job that a Ctrl-C (or SIGTERM) stopped before it began."""
    return Record(path=str(job.src), output=None, status=INTERRUPTED, message="not started (interrupted)")


@dataclass
class Outcome:
    """Everything :func:`run` produced: one record per job, in plan order."""

    records: list[Record]
    seconds: float
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.records)

    @property
    def failed(self) -> int:
        return self.count(FAILED)
