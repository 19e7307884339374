"""Batch reports: one record per file as JSON or CSV (by extension), written atomically; a resumed
run keeps the earlier records of the files it skips."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from photoguard.batch.records import DONE, NO_FACE, SKIPPED, Record
from photoguard.errors import ReportError, UsageError

CSV_FIELDS = (
    "path",
    "output",
    "status",
    "verdict",
    "headline",
    "faces",
    "faces_protected",
    "verification_encoder",
    "threshold",
    "similarity_before",
    "similarity_after",
    "still_recognised",
    "psnr",
    "face_psnr",
    "seconds",
    "message",
    "error",
)


def _csv_row(r: Record) -> dict[str, Any]:
    checked = [v for v in r.verification if v.get("after") is not None]

    def joined(key: str) -> str:
        return ";".join(f"{v[key]:.4f}" for v in checked)

    return {
        "path": r.path,
        "output": r.output or "",
        "status": r.status,
        "verdict": r.verdict or "",
        "headline": r.headline or "",
        "faces": "" if r.faces is None else r.faces,
        "faces_protected": "" if r.faces_protected is None else r.faces_protected,
        "verification_encoder": checked[0]["encoder"] if checked else "",
        "threshold": f"{checked[0]['threshold']:.4f}" if checked else "",
        "similarity_before": joined("before"),
        "similarity_after": joined("after"),
        "still_recognised": r.still_recognised if checked else "",
        "psnr": "" if r.psnr is None else f"{r.psnr:.2f}",
        "face_psnr": "" if r.face_psnr is None else f"{r.face_psnr:.2f}",
        "seconds": f"{r.seconds:.2f}",
        "message": r.message,
        "error": r.error or "",
    }


def _json_row(r: Record) -> dict[str, Any]:
    return {k: round(v, 3) if k == "seconds" else v for k, v in asdict(r).items() if not (k == "detail" and v is None)}


def _earlier_rows(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    """The finished rows of an existing report, by input path; {} when there is none or it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
        rows = json.loads(text) if kind == ".json" else list(csv.DictReader(io.StringIO(text)))
    except (OSError, UnicodeDecodeError, ValueError, csv.Error):
        return {}
    if not isinstance(rows, list):
        return {}
    return {
        row["path"]: row
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("path"), str) and row.get("status") in (DONE, NO_FACE)
    }


def write_report(path: str | os.PathLike, records: Sequence[Record], *, keep_earlier: bool = True) -> Path:
    """Write one record per file as ``.json`` (a list of objects) or ``.csv`` (one row each).

    Per-face scores in CSV are ``;``-separated in face order. The file is written atomically.
    With ``keep_earlier``, a file skipped because its output exists keeps its row from the report
    already at ``path`` (a resumed run's report describes the whole shoot, not "skipped").
    """
    from photoguard.imageio import atomic_write_bytes

    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".json", ".csv"):
        raise UsageError("the report must end in .json or .csv", path=path)
    rows = [_json_row(r) if kind == ".json" else _csv_row(r) for r in records]
    if keep_earlier and any(r.status == SKIPPED for r in records):
        earlier = _earlier_rows(path, kind)
        rows = [earlier.get(r.path, row) if r.status == SKIPPED else row for r, row in zip(records, rows)]
    # A file name that is not UTF-8 holds surrogates (surrogateescape): written as \\udcXX escapes,
    # which json.loads turns back into the same name, instead of failing after the whole batch.
    if kind == ".json":
        data = (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        data = buf.getvalue().encode("utf-8", "backslashreplace")
    try:
        return atomic_write_bytes(path, data)
    except OSError as exc:
        raise ReportError(f"cannot write the report ({exc.strerror or exc})", path=path) from None


def check_report_path(path: str | os.PathLike | None) -> None:
    """Raise :class:`UsageError` before any work when ``--report`` cannot be written: an unknown
    extension, a folder, or a parent that is a file."""
    if path is None:
        return
    path = Path(path)
    if path.suffix.lower() not in (".json", ".csv"):
        raise UsageError("the report must end in .json or .csv", path=path)
    if path.is_dir():
        raise UsageError("the report path is a folder", path=path)
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise UsageError(f"{parent} is a file, not a folder", path=path)
