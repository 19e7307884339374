"""The Gradio page: choose photos (thumbnails shown), choose a strength, protect; the verdict first
(with what it does not cover), then the download, the 100 % comparisons and the report, in Korean
or English. The experimental edit defence sits in a closed "advanced" section, off.

Building the page loads no model; the library loads its models once, on the first protect. The
page's words come from :mod:`photoguard.app.strings`: Gradio's front end shows them in the
browser's language on first paint (``gr.I18n``), the page load sets the language switch from
the browser's ``Accept-Language``, and the switch re-words everything, results included.
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
import zipfile
from pathlib import Path
from typing import Any

import gradio as gr

from photoguard.app import views
from photoguard.app.access import FileGuard, browser_of
from photoguard.app.previews import thumbnail
from photoguard.app.processing import STRENGTHS, Failure, Outcome, process_file
from photoguard.app.strings import (
    GRADIO_STRINGS,
    LANGUAGES,
    TABLES,
    keep_words,
    language_from_header,
    seconds_left,
    stage,
    text,
)
from photoguard.app.style import CSS, THEME
from photoguard.app.workspace import KEEP_SECONDS, PRUNE_EVERY_S, Workspace, private_dir
from photoguard.config import DEFAULT_PRESET
from photoguard.eta import Eta
from photoguard.formats import SUFFIX_FORMAT
from photoguard.imageio import DEFAULT_MAX_PIXELS
from photoguard.progress import Stage
from photoguard.types import Verdict

#: Upload size limit passed to ``launch`` (the pixel limit is checked again after decoding).
MAX_FILE_SIZE = "100mb"
#: Page words shown before the page's load event (translated by Gradio's front end).
_STATIC = (
    "title",
    "language",
    "intro",
    "privacy",
    "delete",
    "choose",
    "strength",
    "strength.info",
    "advanced",
    "edits",
    "edits.info",
    "protect",
    *(f"strength.{c}" for c in STRENGTHS),
)
#: Scrolls the verdict area to the top of the screen, so the progress and then the verdict are in view.
_SCROLL_JS = "() => { document.getElementById('pg-status')?.scrollIntoView({block: 'start', behavior: 'smooth'}); }"
#: After choosing photos on a phone, brings the protect button (and the thumbnails above it) into
#: view when it is below the screen's edge; a page where it is in view already does not move.
_TO_PROTECT_JS = """() => { setTimeout(() => {
  const button = document.getElementById('pg-protect');
  const box = button && button.getBoundingClientRect();
  if (box && (box.bottom > window.innerHeight - 16 || box.top < 0)) button.scrollIntoView({block: 'center', behavior: 'smooth'});
}, 50); }"""
#: The app's progress estimate: the last 20 reports, once they span 3 s (see :class:`photoguard.eta.Eta`).
_ETA_WINDOW, _ETA_SPAN = 20, 3.0


def _static(lang: str) -> dict[str, str]:
    words = {f"pg.{key}": text(lang, key) for key in _STATIC}
    words["pg.privacy"] = text(lang, "privacy", keep=keep_words(lang, KEEP_SECONDS))
    return words | GRADIO_STRINGS[lang]


I18N = gr.I18n(**{lang: _static(lang) for lang in TABLES})


def _t(key: str) -> Any:
    return I18N(f"pg.{key}")


def _refusing_quietly(upload: gr.UploadButton) -> gr.UploadButton:
    """``upload``, whose refusal of a file that is not a photo is still shown on the page (Gradio's
    message) but leaves no traceback on the app's console (Gradio prints one for every refusal it
    is not told otherwise about). On the instance: a subclass would be a custom component to
    Gradio, whose front end it then looks for, and fails to find."""
    preprocess = upload.preprocess

    def quiet(payload: Any) -> Any:
        try:
            return preprocess(payload)
        except gr.Error as exc:
            raise gr.Error(
                exc.message, duration=exc.duration, visible=exc.visible, title=exc.title, print_exception=False
            ) from None

    upload.preprocess = quiet  # type: ignore[method-assign]
    return upload


class PhotoguardApp(gr.Blocks):
    """The page and its :class:`~photoguard.app.workspace.Workspace`, deleted when the app closes."""

    workspace: Workspace

    def close(self, verbose: bool = True) -> None:
        try:
            super().close(verbose)
        finally:
            self.workspace.close()


def _zip(files: list[Path], dst: Path) -> Path:
    """Store ``files`` (already compressed photos) in one ZIP, names made unique."""
    seen: set[str] = set()
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
        for path in files:
            name, n = path.name, 1
            while name in seen:
                n += 1
                name = f"{path.stem}-{n}{path.suffix}"
            seen.add(name)
            z.write(path, name)
    return dst


#: The photos chosen, kept per session to re-word them: ``(names, thumbnail paths or None)``.
Chosen = tuple[list[str], list[str | None]]


def _page(lang: str, chosen: Chosen | None) -> list[Any]:
    """Updates re-wording the controls: title, language, intro, privacy, delete, upload, chosen,
    strength, advanced, edits, protect."""
    names, thumbs = chosen or ([], [])
    return [
        gr.update(value=text(lang, "title")),
        gr.update(label=text(lang, "language")),
        gr.update(value=text(lang, "intro")),
        gr.update(value=text(lang, "privacy", keep=keep_words(lang, KEEP_SECONDS))),
        gr.update(value=text(lang, "delete")),
        gr.update(label=text(lang, "choose")),
        gr.update(value=views.chosen(lang, names, thumbs)),
        gr.update(
            label=text(lang, "strength"),
            info=text(lang, "strength.info"),
            choices=[(text(lang, f"strength.{c}"), c) for c in STRENGTHS],
        ),
        gr.update(label=text(lang, "advanced")),
        gr.update(label=text(lang, "edits"), info=text(lang, "edits.info")),
        gr.update(value=text(lang, "protect")),
    ]


def _download_label(lang: str, outcomes: list[Outcome]) -> str:
    """The single download's label: "protected" only when the check said so."""
    done = next(o for o in outcomes if o.output is not None)
    assert done.output is not None
    if done.verdict is Verdict.PROTECTED:
        key = "download.one"
    elif done.result is not None and done.result.faces_protected:
        key = "download.cloaked"
    else:
        key = "download.clean"
    return text(lang, key, name=done.output.name)


def _results(
    lang: str, outcomes: list[Outcome], *, note: str | None = None, job: Path | None = None, reword: bool = False
) -> list[Any]:
    """Updates for the verdicts, the download, the comparisons, the details heading and the report.

    With several photos the download is one ZIP (for a computer), and each verdict card links its
    own photo (for a phone, which saves photos one by one to its gallery).

    Args:
        note: a message key shown in the verdict area when there are no outcomes.
        job: the request's folder, where the ZIP of several protected photos is written.
        reword: only re-word the download, keep its file.
    """
    written = [o.output for o in outcomes if o.output is not None]
    status = views.verdicts(outcomes, lang) if outcomes else views.message(text(lang, note or "idle"))
    label = _download_label(lang, outcomes) if len(written) == 1 else text(lang, "download.zip", n=len(written))
    download: dict[str, Any] = {"label": label, "visible": bool(written)}
    if not reword:
        if len(written) > 1:
            assert job is not None, "several downloads need the job folder for their ZIP"
            download["value"] = str(_zip(written, job / "protected-photos.zip"))
        else:
            download["value"] = str(written[0]) if written else None
    return [
        gr.update(value=status),
        gr.update(**download),
        gr.update(value=views.comparisons(outcomes, lang)),
        gr.update(value=f"## {text(lang, 'details')}" if outcomes else ""),
        gr.update(value="\n".join(o.markdown(lang) for o in outcomes)),
    ]


def build_app(*, workdir: str | os.PathLike | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> PhotoguardApp:
    """Build the app's page (no model is loaded here).

    Points Gradio's upload and cache folder (``GRADIO_TEMP_DIR``) at the app's private
    :class:`~photoguard.app.workspace.Workspace` before any component exists; one app per process.

    Args:
        workdir: where uploads, protected files and previews are kept, one folder per browser
            session; default: a new private temp folder (0700), removed when the app closes.
        max_pixels: refuse photos with more pixels than this.

    Returns:
        The :class:`gradio.Blocks`; start it with :func:`photoguard.app.launch`. ``.close()`` also
        deletes every photo it kept.
    """
    ws = Workspace(workdir)
    ws.activate()

    def protect_photos(
        files: list[str] | None,
        choice: str,
        edits: bool,
        language: str | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),
    ):
        """Protect every uploaded photo; returns the verdicts, download, comparisons and report."""
        lang = language or "en"
        ws.prune()
        if not files:
            return *_results(lang, [], note="no_photo"), []
        files = [files] if isinstance(files, str) else list(files)
        browser = browser_of(request)
        mine = ws.adopt(browser, request.session_hash, files)  # another browser's upload is not processed
        job = private_dir(ws.session_dir(browser, request.session_hash) / uuid.uuid4().hex[:12])
        eta = Eta(len(files), window=_ETA_WINDOW, min_span=_ETA_SPAN)
        outcomes: list[Outcome] = []
        for i, path in enumerate(files):
            name = Path(path).name
            if Path(path).resolve() not in mine:
                outcomes.append(Outcome(name, failure=Failure("error.missing")))  # as if it were gone
                continue

            def step(fraction: float, words: str, i: int = i, name: str = name) -> None:
                doing = stage(lang, words)
                desc = (
                    text(lang, "progress.one", name=name, stage=doing)
                    if len(files) == 1
                    else text(lang, "progress.many", i=i + 1, n=len(files), name=name, stage=doing)
                )
                eta.update(i + fraction)
                left = eta.remaining()
                progress(
                    (i + fraction) / len(files), desc=desc if left is None else f"{desc} · {seconds_left(lang, left)}"
                )

            step(0.0, Stage("start"))
            outcomes.append(
                process_file(path, job / str(i), choice, max_pixels=max_pixels, progress=step, edits=bool(edits))
            )
        return *_results(lang, outcomes, job=job), outcomes

    def uploaded(files: list[str] | None, language: str | None, request: gr.Request):
        """New photos chosen: remember them for this session, show their thumbnails, clear the last results."""
        lang = language or "en"
        ws.prune()
        files = [files] if isinstance(files, str) else list(files or [])
        browser = browser_of(request)
        mine = ws.adopt(browser, request.session_hash, files)
        folder = ws.session_dir(browser, request.session_hash) / "chosen" / uuid.uuid4().hex[:12]
        names = [Path(f).name for f in files]
        thumbs = [  # none of another browser's upload: its pixels are not this browser's to see
            thumbnail(f, private_dir(folder) / f"{k}.png", max_pixels=max_pixels) if Path(f).resolve() in mine else None
            for k, f in enumerate(files)
        ]
        picked: Chosen = (names, thumbs)
        return gr.update(value=views.chosen(lang, names, thumbs)), picked, "", *_results(lang, []), []

    def delete_now(language: str | None, request: gr.Request):
        """Delete this session's uploads, previews and protected files; clear the page and say so
        next to the button (where the person is looking) and in the verdict area."""
        lang = language or "en"
        ws.end_session(browser_of(request), request.session_hash)
        done = views.message(text(lang, "deleted"))
        return (
            gr.update(value=None),
            gr.update(value=views.chosen(lang, [], [])),
            ([], []),
            done,
            *_results(lang, [], note="deleted"),
            [],
        )

    def reword(language: str | None, picked: Chosen | None, outcomes: list[Outcome], deleted_note: str):
        lang = language or "en"
        note = views.message(text(lang, "deleted")) if deleted_note else ""
        return *_page(lang, picked), note, *_results(lang, outcomes or [], reword=True)

    def opened(request: gr.Request):
        lang = language_from_header(request.headers.get("accept-language"))
        return gr.update(value=lang), *_page(lang, None), *_results(lang, [])

    def session_ended(request: gr.Request) -> None:
        ws.end_session(browser_of(request), request.session_hash)

    with PhotoguardApp(title="photoguard", delete_cache=(PRUNE_EVERY_S, KEEP_SECONDS)) as demo:
        demo.workspace = ws
        outcomes_state = gr.State([])
        chosen_state = gr.State(([], []))
        with gr.Row(elem_id="pg-header", equal_height=False):
            title = gr.Markdown(_t("title"), elem_id="pg-title")
            language = gr.Radio(
                [(name, code) for code, name in LANGUAGES.items()],
                value=None,
                scale=1,
                min_width=200,
                label=_t("language"),
                elem_id="pg-language",
            )
        intro = gr.Markdown(_t("intro"), elem_id="pg-intro")
        with gr.Row(elem_id="pg-privacy", equal_height=True):
            privacy = gr.Markdown(_t("privacy"), elem_id="pg-privacy-text")
            delete = gr.Button(
                _t("delete"), variant="secondary", size="md", scale=1, min_width=170, elem_id="pg-delete"
            )
        deleted = gr.HTML("", elem_id="pg-deleted", container=False)
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                upload = _refusing_quietly(
                    gr.UploadButton(
                        _t("choose"),
                        file_count="multiple",
                        file_types=["image", *SUFFIX_FORMAT],  # a browser may not call a HEIC an image
                        variant="secondary",
                        size="lg",
                        elem_id="pg-upload",
                    )
                )
                chosen = gr.HTML(views.chosen("en", [], []), elem_id="pg-chosen", container=False)
                strength = gr.Radio(
                    [(_t(f"strength.{c}"), c) for c in STRENGTHS],
                    value=DEFAULT_PRESET,
                    label=_t("strength"),
                    info=_t("strength.info"),
                    elem_id="pg-strength",
                )
                run = gr.Button(_t("protect"), variant="primary", size="lg", elem_id="pg-protect")
                with gr.Accordion(_t("advanced"), open=False, elem_id="pg-advanced") as advanced:
                    edits = gr.Checkbox(False, label=_t("edits"), info=_t("edits.info"), elem_id="pg-edits")
            with gr.Column(scale=3, min_width=300):
                status = gr.HTML("", elem_id="pg-status", min_height=90)
                download = gr.DownloadButton("", visible=False, variant="primary", elem_id="pg-download")
                compare = gr.HTML("", elem_id="pg-compare")
        details = gr.Markdown("", elem_id="pg-details")
        report_md = gr.Markdown("", elem_id="pg-report")

        page = [title, language, intro, privacy, delete, upload, chosen, strength, advanced, edits, run]
        results = [status, download, compare, details, report_md]
        light: dict[str, Any] = {"concurrency_limit": None, "api_visibility": "private"}  # never wait behind a protect
        demo.load(opened, None, [language, *page, *results], **light)
        language.input(reword, [language, chosen_state, outcomes_state, deleted], [*page, deleted, *results], **light)
        upload.upload(
            uploaded, [upload, language], [chosen, chosen_state, deleted, *results, outcomes_state], **light
        ).then(None, js=_TO_PROTECT_JS)
        delete.click(delete_now, [language], [upload, chosen, chosen_state, deleted, *results, outcomes_state], **light)
        run.click(None, js=_SCROLL_JS)
        run.click(
            protect_photos,
            [upload, strength, edits, language],
            [*results, outcomes_state],
            api_name="protect",
            show_progress_on=[status],
            concurrency_limit=1,
            concurrency_id="models",
        ).then(None, js=_SCROLL_JS)
        demo.unload(session_ended)
    return demo


def launch(
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    share: bool = False,
    block: bool = True,
    workdir: str | os.PathLike | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> PhotoguardApp:
    """Build and start the app, bound to ``host`` (loopback by default; no public link unless ``share``).

    Args:
        host: interface to bind; ``0.0.0.0`` exposes the app to the local network.
        port: TCP port.
        share: create a public Gradio share link (off by default: photos are private).
        block: wait until the server stops (Ctrl+C or SIGTERM), then delete every kept photo;
            False returns at once (tests, notebooks): call ``.close()`` to stop and delete.
        workdir, max_pixels: see :func:`build_app`.

    Returns:
        The running app.
    """
    from starlette.middleware import Middleware

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_app(workdir=workdir, max_pixels=max_pixels)
    demo.queue(default_concurrency_limit=1)  # one protect at a time: the models are shared
    demo.workspace.start_sweeping()
    previous = None
    if block and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl+C, then clean up
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            share=share,
            prevent_thread_lock=not block,
            quiet=not block,
            show_error=False,
            max_file_size=MAX_FILE_SIZE,
            css=CSS,
            footer_links=[],
            run_history=False,  # else Gradio keeps every run in the browser: file names, results, photo links
            theme=THEME,
            i18n=I18N,
            js=views.PAGE_JS,
            # files only to the browser that sent or caused them, nothing outside the workspace
            app_kwargs={"middleware": [Middleware(FileGuard, workspace=demo.workspace)]},
        )
    except BaseException:
        demo.close()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if block:
        demo.close()
    return demo
