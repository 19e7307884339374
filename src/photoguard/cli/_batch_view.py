"""What a batch command shows: a progress bar on stderr, one line per file, a final summary.

The bar (count, rate, elapsed, ETA) appears only when stderr is a terminal and ``-q`` is not
given. Per-file lines go to stdout (through the bar's console when both share a terminal, so
they scroll above it); errors are one line each on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer

from photoguard.batch import (
    DONE,
    FAILED,
    INTERRUPTED,
    NO_FACE,
    SKIPPED,
    Job,
    Operation,
    Outcome,
    Record,
    run,
    write_report,
)
from photoguard.batch.journal import Journals
from photoguard.cli._text import printable
from photoguard.errors import BatchFailedError, NotProtectedError, ReportError
from photoguard.types import Verdict


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _stage_times(r: Record) -> str:
    """`` [load 0.1 s, detect 0.0 s, cloak 5.2 s, ...]`` with ``-v``, else nothing."""
    from photoguard.cli import verbose

    timings = (r.detail or {}).get("timings")
    if not verbose() or not timings:
        return ""
    return " [" + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in timings.items()) + "]"


class BatchView:
    """Prints one batch run; use as a context manager around :func:`photoguard.batch.run`."""

    def __init__(self, op: Operation, total: int, *, quiet: bool = False, lines: bool = True) -> None:
        self.op, self.total, self.quiet, self.lines = op, total, quiet, lines
        self._progress: Any = None  # a rich Progress, imported only when a bar is shown
        self._task = None
        self._running: dict[str, tuple[str, float, str]] = {}  # input path -> (name, fraction, stage)

    def __enter__(self) -> BatchView:
        if not self.quiet and self.total > 0 and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                ProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.text import Text

            class RateColumn(ProgressColumn):
                def render(self, task) -> Text:
                    speed = task.finished_speed or task.speed
                    return Text("-- photos/h" if not speed else f"{speed * 3600:,.0f} photos/h")

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                redirect_stdout=False,
                redirect_stderr=False,
                speed_estimate_period=600,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.op.action, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def echo(self, line: str) -> None:
        """A line on stdout (above the bar when both are on the terminal), control characters escaped."""
        line = printable(line)
        if self._progress is not None and sys.stdout.isatty():
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line)

    def error(self, line: str) -> None:
        """One error line on stderr, control characters escaped."""
        line = printable(line)
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line, err=True)

    def start(self, job: Job) -> None:
        if self._progress is not None:
            name = job.src.name if len(job.src.name) <= 32 else job.src.name[:29] + "..."
            self._progress.update(self._task, description=name)

    def progress(self, job: Job, fraction: float, stage: str) -> None:
        """The running file's stage (loading the models, face i, step s of S) next to the bar;
        with ``--jobs N``, each running file and how far it is (``a.jpg 40 % | b.jpg 15 %``)."""
        if self._progress is not None:
            name = job.src.name if len(job.src.name) <= 32 else job.src.name[:29] + "..."
            self._running[str(job.src)] = (name, fraction, stage)
            if len(self._running) == 1:
                description = f"{name}: {stage}"
            else:
                description = " | ".join(f"{n} {f:.0%}" for n, f, _ in self._running.values())
            self._progress.update(self._task, description=description)

    def record(self, r: Record) -> None:
        self._running.pop(r.path, None)
        if r.status == FAILED:
            self.error(f"photoguard: error: {r.error}")
        elif self.lines and not self.quiet:
            if r.verdict is not None and r.status in (DONE, NO_FACE):  # the verdict is the first word
                self.echo(f"{r.headline}  {r.path} -> {r.output}: {r.message}{_stage_times(r)}")
            elif r.status == DONE:
                self.echo(f"{self.op.verb} {r.path} -> {r.output}: {r.message}")
            elif r.status == NO_FACE:
                self.echo(f"no face  {r.path} -> {r.output}: {r.message}")
            elif r.status == SKIPPED:
                self.echo(f"skipped  {r.path} ({r.message})")
        if self._progress is not None and r.status in (DONE, NO_FACE, FAILED):
            self._progress.advance(self._task)


def dry_run(jobs: Sequence[Job], op: Operation) -> None:
    """Print what a run would do; write nothing."""
    todo = 0
    for job in jobs:
        if job.skip:
            typer.echo(printable(f"would skip  {job.src} ({job.skip})"))
        elif job.error:
            typer.echo(printable(f"would fail  {job.src}: {job.error}"))
        else:
            todo += 1
            typer.echo(printable(f"would {op.action} {job.src} -> {job.dst}"))
    typer.echo(f"dry run: {todo} file(s) to {op.action}, {len(jobs) - todo} to skip or failing; nothing was written")


#: Another engine for :func:`execute`: ``engine(jobs, op, on_record=...) -> Outcome`` (the Ray one).
Engine = Callable[..., Outcome]


def execute(
    jobs: Sequence[Job],
    op: Operation,
    *,
    workers: int,
    quiet: bool,
    report: Sequence[str | Path] = (),
    lines: bool = True,
    engine: Engine | None = None,
) -> Outcome:
    """Run the batch with a view, write the reports (each of ``report``, with a journal beside it
    while the run goes: :mod:`photoguard.batch.journal`), print the summary; then call :func:`finish`.
    ``engine`` runs it instead of the local engine (``workers`` is then unused)."""
    total = sum(1 for j in jobs if j.skip is None and j.error is None)
    unwritten = []
    with Journals(report) as journals:
        with BatchView(op, total, quiet=quiet, lines=lines) as view:

            def on_record(record: Record) -> None:
                journals.add(record)  # first: a record on screen is a record on disk
                view.record(record)

            if engine is not None:
                outcome = engine(jobs, op, on_record=on_record)
            else:
                outcome = run(
                    jobs, op, workers=workers, on_start=view.start, on_record=on_record, on_progress=view.progress
                )
        for path in report:
            try:
                write_report(path, outcome.records, earlier=journals.earlier(path))
            except ReportError as exc:  # the summary still comes, then the exit status says so
                typer.echo(printable(f"photoguard: error: {exc}"), err=True)
                unwritten.append(str(path))
                continue
            journals.finish(path)
    if lines:
        typer.echo("\n".join(printable(line) for line in summary(outcome, op).splitlines()))
    if unwritten:
        raise ReportError(f"{len(unwritten)} report(s) not written: {', '.join(unwritten)}")
    return outcome


def finish(outcome: Outcome, op: Operation, *, fail_unprotected: bool = False, in_place: bool = False) -> None:
    """Turn the outcome into the exit status.

    Raises:
        KeyboardInterrupt: after Ctrl-C (exit code 130), once the finished files and the report are saved.
        BatchFailedError: some files failed (exit code 1).
        NotProtectedError: with ``fail_unprotected``, some photo is not verified protected (exit code 3).
    """
    if outcome.interrupted:
        carry_on = (
            "Run it again for the files not done; the finished ones are replaced already "
            "(leave them out with --exclude)."
            if in_place
            else "Run the same command with --skip-existing to carry on."
        )
        typer.echo(
            f"photoguard: stopped; {outcome.count(DONE) + outcome.count(NO_FACE)} finished file(s) are kept and no "
            f"partial file is left. {carry_on}",
            err=True,
        )
        raise KeyboardInterrupt
    if outcome.failed:
        raise BatchFailedError(failed_line(outcome, op))
    unsafe = [r for r in outcome.records if r.status in (DONE, NO_FACE) and not r.fully_protected]
    if fail_unprotected and unsafe:
        raise NotProtectedError(
            f"{len(unsafe)} photo(s) not fully protected, first {unsafe[0].path}: {unsafe[0].headline}"
        )


def failed_line(outcome: Outcome, op: Operation) -> str:
    """``2 of 5 file(s) failed; the other 3 were written``, or ``...; nothing was written`` when
    none was (every photo failed: a mistyped path, an unreadable file), in the words of what happened."""
    ok = outcome.count(DONE) + outcome.count(NO_FACE)
    done = f"the other {ok} were {op.finished}" if ok else f"nothing was {op.finished}"
    return f"{outcome.failed} of {outcome.failed + ok} file(s) failed; {done}"


def verdict_line(outcome: Outcome) -> str | None:
    """``verdict for 15 photo(s): 9 protected, 2 partly protected, 1 not protected, 3 with no face (...)``,
    or None when no record has a verdict."""
    verdicts = [r for r in outcome.records if r.verdict is not None]
    if not verdicts:
        return None
    counts = {v: sum(r.verdict is v for r in verdicts) for v in Verdict}
    parts = [f"{n} {'with no face' if v is Verdict.NO_FACE else v}" for v, n in counts.items() if n]
    encoders = {v["encoder"] for r in verdicts for v in r.verification if v.get("encoder")}
    line = f"verdict for {len(verdicts)} photo(s): " + ", ".join(parts)
    if encoders:
        line += f" (held-out check by {', '.join(sorted(encoders))}, an encoder the cloak did not use)"
    if any(not r.fully_protected for r in verdicts):
        line += "\nphotos not fully protected: try --strength strong for them"
    return line


def summary(outcome: Outcome, op: Operation) -> str:
    """The final lines: the verdict tally first (:func:`verdict_line`), then
    ``12 file(s) protected, 3 with no face (metadata stripped only), 0 failed, ...``."""
    parts = [f"{outcome.count(DONE)} file(s) {op.verb if not op.uses_torch else 'cloaked'}"]
    if op.uses_torch:
        edits = "edits" in getattr(op, "against", ())  # with --against edits a face-free photo gets the pattern
        done = "edit defence added, metadata stripped" if edits else "metadata stripped only"
        parts.append(f"{outcome.count(NO_FACE)} with no face ({done})")
    parts.append(f"{outcome.failed} failed")
    if outcome.count(SKIPPED):
        parts.append(f"{outcome.count(SKIPPED)} skipped")
    if outcome.count(INTERRUPTED):
        parts.append(f"{outcome.count(INTERRUPTED)} not done (interrupted)")
    line = ", ".join(parts) + f" in {_duration(outcome.seconds)}"
    verdict = verdict_line(outcome)
    return line if verdict is None else f"{verdict}\n{line}"
