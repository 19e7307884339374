"""Batch reports: one record per file as JSON, CSV or Parquet (by extension), written atomically; a
resumed run keeps the earlier records of the files it skips. A report may be a URI
(``s3://bucket/report.parquet``, :mod:`photoguard.batch.storage`)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from photoguard.batch import storage
from photoguard.batch.records import DONE, NO_FACE, SKIPPED, Record
from photoguard.batch.storage import Location, RemotePath
from photoguard.errors import PhotoguardError, ReportError, UsageError
from photoguard.text import csv_cell, json_text

#: The report formats, by file extension (Parquet needs pyarrow, which the ``ray`` extra installs).
REPORT_SUFFIXES = (".json", ".csv", ".parquet")

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
    """One CSV row; every text cell through :func:`photoguard.text.csv_cell` (no control character,
    never a formula: a file named ``=HYPERLINK(...).jpg`` is text in a spreadsheet)."""
    checked = [v for v in r.verification if v.get("after") is not None]

    def joined(key: str) -> str:
        return ";".join(f"{v[key]:.4f}" for v in checked)

    return {
        "path": csv_cell(r.path),
        "output": csv_cell(r.output or ""),
        "status": r.status,
        "verdict": r.verdict or "",
        "headline": csv_cell(r.headline or ""),
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
        "message": csv_cell(r.message),
        "error": csv_cell(r.error or ""),
    }


def _json_row(r: Record) -> dict[str, Any]:
    return {k: round(v, 3) if k == "seconds" else v for k, v in asdict(r).items() if not (k == "detail" and v is None)}


def _parquet_row(r: Record) -> dict[str, Any]:
    """The JSON row with its nested fields (per-face checks, strip details) as JSON text: one
    column type for every file, so the report reads as one table (pandas, DuckDB, Ray Data)."""
    row = _json_row(r)
    row["verification"] = json_text(row["verification"], indent=None)
    row["detail"] = json_text(row["detail"], indent=None) if "detail" in row else None
    return row


def _parquet_schema():
    import pyarrow as pa

    text, integer, real = pa.string(), pa.int64(), pa.float64()
    columns = {"path": text, "output": text, "status": text, "verdict": text, "headline": text, "faces": integer}
    columns |= {"faces_protected": integer, "verification": text, "psnr": real, "face_psnr": real}
    columns |= {"seconds": real, "message": text, "error": text, "detail": text}
    return pa.schema(list(columns.items()))


def _parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("a .parquet report needs pyarrow: pip install 'photoguard[ray]'") from None
    # Parquet strings are UTF-8: a name that is not (surrogateescape) is kept as its \\udcXX escapes.
    safe = [{k: _utf8(v) for k, v in row.items()} for row in rows]
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(safe, schema=_parquet_schema()), buf)
    return buf.getvalue()


def _utf8(value: Any) -> Any:
    return value.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(value, str) else value


def _read_rows(path: Location, kind: str) -> Any:
    data = storage.read_bytes(path) if isinstance(path, RemotePath) else path.read_bytes()
    if kind == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(data)).to_pylist()
    text = data.decode("utf-8")
    return json.loads(text) if kind == ".json" else list(csv.DictReader(io.StringIO(text)))


def _earlier_rows(path: Location, kind: str) -> dict[str, dict[str, Any]]:
    """The finished rows of an existing report, by input path; {} when there is none or it cannot be read."""
    try:
        rows = _read_rows(path, kind)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error, ImportError, PhotoguardError):  # pyarrow's: ValueErrors
        return {}
    if not isinstance(rows, list):
        return {}
    return {
        row["path"]: row
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("path"), str) and row.get("status") in (DONE, NO_FACE)
    }


def write_report(
    path: str | os.PathLike | RemotePath,
    records: Sequence[Record],
    *,
    keep_earlier: bool = True,
    earlier: Mapping[str, Record] | None = None,
) -> Location:
    """Write one record per file as ``.json`` (a list of objects), ``.csv`` or ``.parquet`` (one row each).

    Per-face scores in CSV are ``;``-separated in face order; in Parquet the per-face checks and
    the strip details are JSON text columns. The file is written atomically.
    With ``keep_earlier``, a file skipped because its output exists keeps its record from
    ``earlier`` (what a killed run left in the report's journal, :mod:`photoguard.batch.journal`),
    else its row from the report already at ``path`` (a resumed run's report describes the whole
    shoot, not "skipped").
    """
    from photoguard.imageio import atomic_write_bytes

    path = storage.location(path)
    kind = path.suffix.lower()
    if kind not in REPORT_SUFFIXES:
        raise UsageError(f"the report must end in {_suffixes()}", path=str(path))
    row_of = {".json": _json_row, ".csv": _csv_row, ".parquet": _parquet_row}[kind]
    rows = [row_of(r) for r in records]
    if keep_earlier and any(r.status == SKIPPED for r in records):
        journal, written = earlier or {}, _earlier_rows(path, kind)
        for i, r in enumerate(records):
            if r.status == SKIPPED:
                rows[i] = row_of(journal[r.path]) if r.path in journal else written.get(rows[i]["path"], rows[i])
    # A file name that is not UTF-8 holds surrogates (surrogateescape): written as \\udcXX escapes
    # (photoguard.text.json_text), instead of failing after the whole batch.
    if kind == ".parquet":
        data = _parquet_bytes(rows)
    elif kind == ".json":
        data = (json_text(rows) + "\n").encode("utf-8")
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        data = buf.getvalue().encode("utf-8", "backslashreplace")
    try:
        if isinstance(path, RemotePath):
            storage.write_bytes(path, data, replace=True)
            return path
        return atomic_write_bytes(path, data, replace=True)  # the report the user named (rows kept: keep_earlier)
    except OSError as exc:
        raise ReportError(f"cannot write the report ({exc.strerror or exc})", path=str(path)) from None
    except PhotoguardError as exc:  # a store that cannot be opened (scheme, credentials): the summary still comes
        raise ReportError(f"cannot write the report ({exc})", path=str(path)) from None


def check_report_path(path: str | os.PathLike | RemotePath | None) -> None:
    """Raise :class:`UsageError` before any work when ``--report`` cannot be written: an unknown
    extension, a folder, or a parent that is a file (a URI: its extension only)."""
    if path is None:
        return
    at = storage.location(path)
    if at.suffix.lower() not in REPORT_SUFFIXES:
        raise UsageError(f"the report must end in {_suffixes()}", path=str(at))
    if isinstance(at, RemotePath):
        return
    path = at
    if path.is_dir():
        raise UsageError("the report path is a folder", path=path)
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise UsageError(f"{parent} is a file, not a folder", path=path)


def _suffixes() -> str:
    return ", ".join(REPORT_SUFFIXES[:-1]) + " or " + REPORT_SUFFIXES[-1]
