"""What a batch command shows: a progress bar on stderr, one line per file, a final summary.

The bar (count, rate, elapsed, ETA) appears only when stderr is a terminal and ``-q`` is not
given. Per-file lines go to stdout (through the bar's console when both share a terminal, so
they scroll above it); errors are one line each on stderr.
"""

from __future__ import annotations

import sys
import time
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
    ProtectOperation,
    Record,
    run,
    write_report,
)
from photoguard.batch.journal import Journals
from photoguard.batch.storage import Location
from photoguard.cli._text import printable
from photoguard.coverage import not_covered
from photoguard.errors import BatchFailedError, NotProtectedError, ReportError
from photoguard.eta import Eta
from photoguard.types import Verdict

#: The widest file name the progress line shows (a longer one keeps its end).
LABEL_WIDTH = 40


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

    def __init__(
        self,
        op: Operation,
        total: int,
        *,
        quiet: bool = False,
        lines: bool = True,
        labels: dict[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.op, self.total, self.quiet, self.lines = op, total, quiet, lines
        self.labels = labels or {}  # input path -> its name in the progress line (:func:`progress_labels`)
        self.eta = Eta(total, clock=clock)
        self._finished = 0
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
            )
            from rich.text import Text

            eta = self.eta

            class RateColumn(ProgressColumn):
                def render(self, task) -> Text:
                    speed = eta.rate()
                    return Text("-- photos/h" if not speed else f"{speed * 3600:,.0f} photos/h")

            class EtaColumn(ProgressColumn):
                def render(self, task) -> Text:
                    return Text(f"ETA {eta_words(eta.remaining())}")

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                EtaColumn(),
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

    def label(self, job: Job) -> str:
        """The file's name in the progress line: with its folder when another file has that name."""
        name = self.labels.get(str(job.src), job.src.name)
        return name if len(name) <= LABEL_WIDTH else "..." + name[-(LABEL_WIDTH - 3) :]

    def start(self, job: Job) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=self.label(job))

    def progress(self, job: Job, fraction: float, stage: str) -> None:
        """The running file's stage (loading the models, face i, step s of S) next to the bar;
        with ``--jobs N``, each running file and how far it is (``a.jpg 40 % | b.jpg 15 %``)."""
        if self._progress is not None:
            name = self.label(job)
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
        if r.status in (DONE, NO_FACE, FAILED):
            self._finished += 1
            self.eta.update(self._finished)
            if self._progress is not None:
                self._progress.advance(self._task)


def eta_words(seconds: float | None) -> str:
    """``"1:38"`` (``"1:02:05"`` past an hour), or ``"-:--"`` while there is no estimate."""
    if seconds is None:
        return "-:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def progress_labels(paths: Sequence[Location]) -> dict[str, str]:
    """Each path's name for the progress line: its file name, or, where several paths share that
    name, as many of its folders as tell them apart (``day1/IMG_0002.jpg``, ``day2/IMG_0002.jpg``).

    >>> progress_labels([Path("shoot/day1/IMG_2.jpg"), Path("shoot/day2/IMG_2.jpg"), Path("shoot/a.jpg")])
    {'shoot/day1/IMG_2.jpg': 'day1/IMG_2.jpg', 'shoot/day2/IMG_2.jpg': 'day2/IMG_2.jpg', 'shoot/a.jpg': 'a.jpg'}
    """
    parts = {str(p): str(p).replace("\\", "/").split("/") for p in paths}
    labels = {}
    for path, mine in parts.items():
        depth = 1
        while depth < len(mine) and any(
            other != path and theirs[-depth:] == mine[-depth:] for other, theirs in parts.items()
        ):
            depth += 1
        labels[path] = "/".join(mine[-depth:])
    return labels


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
    todo = [j for j in jobs if j.skip is None and j.error is None]
    unwritten = []
    with Journals(report) as journals:
        with BatchView(op, len(todo), quiet=quiet, lines=lines, labels=progress_labels([j.src for j in todo])) as view:

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
    """``2 of 5 file(s) failed; the other 3 were written`` (``the other one was written``), or
    ``...; nothing was written`` when none was (every photo failed: a mistyped path, an unreadable
    file), in the words of what happened."""
    ok = outcome.count(DONE) + outcome.count(NO_FACE)
    if ok:
        done = f"the other {ok} were {op.finished}" if ok > 1 else f"the other one was {op.finished}"
    else:
        done = f"nothing was {op.finished}"
    return f"{outcome.failed} of {outcome.failed + ok} file(s) failed; {done}"


#: How the tally names a verdict where its own words would not read as a count ("3 no face").
_TALLY = {Verdict.NO_FACE: "with no face", Verdict.TOO_SMALL: "with faces too small to cloak"}


def verdict_line(outcome: Outcome) -> str | None:
    """``verdict for 15 photo(s): 9 protected, 2 partly protected, 1 not protected, 3 with no face (...)``,
    what the verdict does not cover when some photo was called protected
    (:func:`photoguard.coverage.not_covered`), and what to do about the others; None when no
    record has a verdict."""
    verdicts = [r for r in outcome.records if r.verdict is not None]
    if not verdicts:
        return None
    counts = {v: sum(r.verdict is v for r in verdicts) for v in Verdict}
    parts = [f"{n} {_TALLY.get(v, v)}" for v, n in counts.items() if n]
    encoders = {v["encoder"] for r in verdicts for v in r.verification if v.get("encoder")}
    lines = [f"verdict for {len(verdicts)} photo(s): " + ", ".join(parts)]
    if encoders:
        lines[0] += f" (held-out check by {', '.join(sorted(encoders))}, an encoder the cloak did not use)"
    if counts[Verdict.PROTECTED] or counts[Verdict.PARTLY]:
        lines.append(not_covered())
    if any(r.still_recognised for r in verdicts):  # a stronger cloak can help these, and only these
        lines.append("photos with a face still recognised: try --strength strong for them")
    if counts[Verdict.TOO_SMALL] or any(v.get("status") == "not cloaked" for r in verdicts for v in r.verification):
        lines.append(
            f"faces under {min_face_px()} px are left as they are (too small to cloak; a stronger setting "
            "does not change that): a photo where the face is larger can be protected"
        )
    return "\n".join(lines)


def min_face_px() -> int:
    """The smallest face the presets cloak, px."""
    from photoguard.config import PRESETS

    return min(config.min_face_px for config in PRESETS.values())


def summary(outcome: Outcome, op: Operation) -> str:
    """The final lines: the verdict tally first (:func:`verdict_line`), then
    ``12 file(s) protected, 3 with no face (metadata stripped only), 0 failed, ...``; a photo
    whose faces were all too small to cloak is counted as such, not as one with no face."""
    parts = [f"{outcome.count(DONE)} file(s) {op.verb if not op.uses_torch else 'cloaked'}"]
    if op.uses_torch:
        # with --against edits a face-free photo gets the pattern
        edits = isinstance(op, ProtectOperation) and op.options.edits is not None
        done = "edit defence added, metadata stripped" if edits else "metadata stripped only"
        small = sum(r.status == NO_FACE and r.verdict is Verdict.TOO_SMALL for r in outcome.records)
        parts.append(f"{outcome.count(NO_FACE) - small} with no face ({done})")
        if small:
            parts.append(f"{small} with faces too small to cloak ({done})")
    parts.append(f"{outcome.failed} failed")
    if outcome.count(SKIPPED):
        parts.append(f"{outcome.count(SKIPPED)} skipped")
    if outcome.count(INTERRUPTED):
        parts.append(f"{outcome.count(INTERRUPTED)} not done (interrupted)")
    line = ", ".join(parts) + f" in {_duration(outcome.seconds)}"
    verdict = verdict_line(outcome)
    return line if verdict is None else f"{verdict}\n{line}"
