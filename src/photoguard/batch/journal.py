"""The report's journal: each record appended beside the report as its photo finishes, so the
records of a run that was killed (SIGKILL, a crash, a closed laptop) are not lost with it.

A report is written once, when its run ends (:func:`~photoguard.batch.report.write_report`). Its
journal, ``.<report name>.journal`` in the same folder (hidden: never walked as an input), gets one
line of JSON per finished file at once. A run that ends writes its report, then deletes the
journal; a killed run leaves it, and the next run with the same ``--report`` reads it first: a
photo that run skips (``--skip-existing``) keeps the killed run's record instead of reading
``skipped``. The next run appends to the same journal, so a run killed twice keeps both runs'
records. A line is written with one ``write`` (append mode) and not fsynced: it survives the
process, not a power cut. Reports on an object store (``s3://...``) have no journal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from photoguard.batch import storage
from photoguard.batch.records import DONE, NO_FACE, Record, record_from_json, record_to_json


def journal_path(report: Path) -> Path:
    """Where ``report``'s journal is kept."""
    return report.with_name(f".{report.name}.journal")


def read_journal(path: Path) -> dict[str, Record]:
    """The finished records of a journal (``done`` or ``no-face``), by input path, the last line of
    a file winning; {} when there is none. A line cut short by the kill, or any line that is not a
    record, is ignored."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        try:
            record = record_from_json(line.decode("ascii"))
        except (ValueError, TypeError, KeyError):
            continue
        if record.status in (DONE, NO_FACE):
            found[record.path] = record
    return found


class Journals:
    """The journals of a run's local reports: read on opening (what a killed run left), appended to
    as records arrive (:meth:`add`), deleted once their report is written (:meth:`finish`). Use as
    a context manager: the files are closed at the end, and kept unless finished."""

    def __init__(self, reports: Iterable[str | os.PathLike]) -> None:
        self._fds: dict[Path, int] = {}
        self._earlier: dict[Path, dict[str, Record]] = {}
        for report in reports:
            at = storage.location(report)
            if not isinstance(at, Path):
                continue
            path = journal_path(at)
            self._earlier[at] = read_journal(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fds[at] = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
            except OSError:
                continue  # the report's own write will say what is wrong with its folder

    def __enter__(self) -> Journals:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def add(self, record: Record) -> None:
        """Append ``record`` to every journal (one line each)."""
        line = (record_to_json(record) + "\n").encode("ascii")
        for fd in self._fds.values():
            try:
                os.write(fd, line)
            except OSError:  # a full disk: the run goes on; the report at the end is what counts
                continue

    def earlier(self, report: str | os.PathLike) -> dict[str, Record]:
        """What a killed run left in ``report``'s journal, by input path."""
        at = storage.location(report)
        return self._earlier.get(at, {}) if isinstance(at, Path) else {}

    def finish(self, report: str | os.PathLike) -> None:
        """``report`` was written: its journal is no longer needed."""
        at = storage.location(report)
        if not isinstance(at, Path):
            return
        fd = self._fds.pop(at, None)
        if fd is not None:
            os.close(fd)
        journal_path(at).unlink(missing_ok=True)
