"""The Gradio page: upload photos, choose a strength, protect, compare, download, read the report.

Building the page loads no model; the library loads its models once, on the first protect.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import gradio as gr

from photoguard.app.processing import STRENGTHS, Outcome, process_file
from photoguard.config import DEFAULT_PRESET
from photoguard.imageio import DEFAULT_MAX_PIXELS

TITLE = "photoguard: protect your selfie before you post it"
INTRO = (
    "Drop one or more photos. photoguard adds a hard-to-see cloak to every face, so face-swap and "
    "face-recognition tools see a different person, and removes hidden data such as your GPS location "
    "and phone serial number. Your photos stay on this computer."
)
STRENGTH_INFO = (
    "Medium (recommended): hard to see, checked against a face model the cloak never saw. Fast: a few "
    "seconds, weaker. Strong: strongest, may be visible up close. Metadata only: remove hidden data, "
    "leave the pixels alone."
)
CSS = ".pg-report h3 { margin-top: 0.6em; }"

#: Results (protected files, previews) and Gradio's copies of uploads are deleted after this many seconds.
KEEP_SECONDS = 3600

#: Upload size limit passed to ``launch`` (the pixel limit is checked again after decoding).
MAX_FILE_SIZE = "100mb"

_EMPTY_REPORT = "Your report will appear here: faces found and protected, how well it worked, and what hidden data was removed."


def prune(root: Path, max_age_s: float = KEEP_SECONDS) -> None:
    """Delete request folders under ``root`` older than ``max_age_s`` (photos should not linger)."""
    if not root.is_dir():
        return
    cutoff = time.time() - max_age_s
    for job in root.iterdir():
        try:
            if job.is_dir() and job.stat().st_mtime < cutoff:
                shutil.rmtree(job, ignore_errors=True)
        except OSError:
            continue


def _view(outcomes: list[Outcome], name: str | None) -> tuple[Any, Any]:
    """The before/after and face zoom slider updates for the photo called ``name``."""
    shown = [o for o in outcomes if o.before_after]
    chosen = next((o for o in shown if o.name == name), shown[0] if shown else None)
    if chosen is None:
        return gr.update(value=None), gr.update(value=None, visible=False)
    face = chosen.face
    return gr.update(value=chosen.before_after), gr.update(value=face, visible=face is not None)


def build_app(*, workdir: str | os.PathLike | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> gr.Blocks:
    """Build the app's page (no model is loaded here).

    Args:
        workdir: where protected files and previews are written, one sub-folder per request;
            default: a ``photoguard-app`` folder in the system temp folder.
        max_pixels: refuse photos with more pixels than this.

    Returns:
        The :class:`gradio.Blocks`; start it with :func:`photoguard.app.launch` (or ``.launch()``).
    """
    root = Path(workdir) if workdir is not None else Path(tempfile.gettempdir()) / "photoguard-app"

    def protect_photos(files: list[str] | None, choice: str, progress: gr.Progress = gr.Progress()):  # noqa: B008
        """Protect every uploaded photo; returns the views, the downloads and the report."""
        if not files:
            gr.Warning("Please add a photo first.")
            return (gr.update(value=None), gr.update(value=None, visible=False), None,
                    "Please add a photo first, then press **Protect**.", gr.update(choices=[], value=None, visible=False), [])
        files = [files] if isinstance(files, str) else list(files)
        prune(root)
        job = root / uuid.uuid4().hex[:12]
        outcomes: list[Outcome] = []
        for i, path in enumerate(files):
            name = Path(path).name

            def step(fraction: float, stage: str, i: int = i, name: str = name) -> None:
                progress((i + fraction) / len(files), desc=f"{name}: {stage}")

            outcomes.append(process_file(path, job / str(i), choice, max_pixels=max_pixels, progress=step))
        failed = [o for o in outcomes if o.error]
        if failed and len(failed) == len(outcomes):
            gr.Warning(failed[0].error if len(failed) == 1 else "None of the files could be processed; see the report.")
        downloads = [str(o.output) for o in outcomes if o.output is not None] or None
        names = [o.name for o in outcomes if o.before_after]
        whole, face = _view(outcomes, names[0] if names else None)
        picker = gr.update(choices=names, value=names[0] if names else None, visible=len(names) > 1)
        markdown = "\n".join(o.markdown for o in outcomes)
        return whole, face, downloads, markdown, picker, outcomes

    with gr.Blocks(title="photoguard", delete_cache=(KEEP_SECONDS // 2, KEEP_SECONDS)) as demo:
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        outcomes_state = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=280):
                uploads = gr.File(label="Your photos (JPEG, PNG, WebP or HEIC)", file_count="multiple", height=150)
                choice = gr.Radio(list(STRENGTHS), value=DEFAULT_PRESET, label="Protection strength", info=STRENGTH_INFO)
                run = gr.Button("Protect my photos", variant="primary")
                downloads = gr.File(label="Download your protected photos", file_count="multiple", interactive=False,
                                    elem_id="pg-downloads")
            with gr.Column(scale=3, min_width=320):
                picker = gr.Dropdown(label="Photo to compare", choices=[], visible=False, interactive=True)
                with gr.Row():
                    whole = gr.ImageSlider(label="Before / after (drag the slider)", type="filepath", format="png",
                                           interactive=False, max_height=420, scale=3, buttons=["fullscreen"])
                    face = gr.ImageSlider(label="Zoom on the face", type="filepath", format="png",
                                          interactive=False, max_height=420, scale=2, visible=False,
                                          buttons=["fullscreen"])
        gr.Markdown("## Report")
        report_md = gr.Markdown(_EMPTY_REPORT, elem_classes=["pg-report"], elem_id="pg-report")

        run.click(protect_photos, inputs=[uploads, choice], outputs=[whole, face, downloads, report_md, picker, outcomes_state],
                  api_name="protect")
        picker.input(_view, inputs=[outcomes_state, picker], outputs=[whole, face], api_visibility="private")
    return demo


def launch(
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    share: bool = False,
    block: bool = True,
    workdir: str | os.PathLike | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> gr.Blocks:
    """Build and start the app, bound to ``host`` (loopback by default; no public link unless ``share``).

    Args:
        host: interface to bind; ``0.0.0.0`` exposes the app to the local network.
        port: TCP port.
        share: create a public Gradio share link (off by default: photos are private).
        block: wait until the server stops; False returns at once (tests, notebooks).
        workdir, max_pixels: see :func:`build_app`.

    Returns:
        The running :class:`gradio.Blocks` (call ``.close()`` to stop it).
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_app(workdir=workdir, max_pixels=max_pixels)
    root = Path(workdir) if workdir is not None else Path(tempfile.gettempdir()) / "photoguard-app"
    root.mkdir(parents=True, exist_ok=True)
    demo.queue(default_concurrency_limit=1)  # one protect at a time: the models are shared
    demo.launch(
        server_name=host, server_port=port, share=share, prevent_thread_lock=not block, quiet=not block,
        show_error=False, allowed_paths=[str(root)], max_file_size=MAX_FILE_SIZE, css=CSS,
        footer_links=[], theme=gr.themes.Soft(),
    )
    return demo
