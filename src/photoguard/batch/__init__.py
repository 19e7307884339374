"""Batch engine shared by ``photoguard protect`` and ``photoguard strip``.

Three steps, each usable on its own (one module each: :mod:`~photoguard.batch.plan`,
:mod:`~photoguard.batch.runner`, :mod:`~photoguard.batch.report`; records in
:mod:`~photoguard.batch.records`, operations in :mod:`~photoguard.batch.operations`):

1. :func:`plan` walks the inputs (:mod:`photoguard.batch.paths`), applies include/exclude
   patterns, mirrors every file below the output folder and marks what will be skipped
   (``--skip-existing``, files in folders that are not images).
2. :func:`run` runs an :class:`Operation` over the planned jobs, in this process or in a pool
   of worker processes (``workers > 1``). Every file ends as one :class:`Record`; one bad file
   never stops the batch. Ctrl-C cancels what has not started, interrupts what runs (outputs
   are written atomically, so no partial file is left) and returns what finished.
3. :func:`write_report` writes the records as JSON or CSV (by extension), atomically.

Example::

    from photoguard.batch import ProtectOperation, plan, run, write_report
    op = ProtectOperation(strength="fast")
    jobs = plan(["shoot/"], op, out="delivered/", skip_existing=True)
    outcome = run(jobs, op, workers=2)
    write_report("delivered/report.csv", outcome.records)
"""

from photoguard.batch.operations import Operation, ProtectOperation, StripOperation, is_image_candidate, sniff_format
from photoguard.batch.plan import plan, select
from photoguard.batch.records import (
    DONE,
    FAILED,
    INTERRUPTED,
    NO_FACE,
    SKIPPED,
    Job,
    Outcome,
    Progress,
    Record,
    Status,
)
from photoguard.batch.report import CSV_FIELDS, check_report_path, write_report
from photoguard.batch.runner import default_workers, run, run_one, worker_threads

__all__ = [
    "CSV_FIELDS",
    "DONE",
    "FAILED",
    "INTERRUPTED",
    "NO_FACE",
    "SKIPPED",
    "Job",
    "Operation",
    "Outcome",
    "Progress",
    "ProtectOperation",
    "Record",
    "Status",
    "StripOperation",
    "check_report_path",
    "default_workers",
    "is_image_candidate",
    "plan",
    "run",
    "run_one",
    "select",
    "sniff_format",
    "worker_threads",
    "write_report",
]
