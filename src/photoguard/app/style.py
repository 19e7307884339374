"""The page's look: a Gradio theme whose text meets WCAG AA contrast (4.5:1) in light and dark
mode and draws Latin and Korean letters with the device's own fonts, and the CSS of the chosen
photos, the verdict cards and the 100 % comparison.

Soft's indigo-500 labels on indigo-100 (3.6:1), grey-400 help text (2.5:1) and white on
indigo-500 (4.5:1 minus rounding) failed axe-core's contrast rule; the shades below pass. Soft's
own font, the Montserrat Gradio ships, drew "E" as "Ɛ" ("Ɛnglish", "JPƐG") in Chromium: the
page uses the system's fonts instead (:data:`FONTS`).
"""

from __future__ import annotations

import gradio as gr

#: The device's own interface fonts, Korean ones named for systems whose default lacks Hangul.
FONTS = (
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Apple SD Gothic Neo",
    "Malgun Gothic",
    "Noto Sans KR",
    "Noto Sans CJK KR",
    "NanumGothic",
    "sans-serif",
)

THEME = gr.themes.Soft(primary_hue="indigo", neutral_hue="gray", font=FONTS).set(
    block_label_text_color="*primary_800",
    block_label_text_color_dark="*primary_100",
    block_title_text_color="*primary_800",
    block_title_text_color_dark="*primary_100",
    block_info_text_color="*neutral_600",
    block_info_text_color_dark="*neutral_300",
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_300",
    checkbox_label_background_fill_selected="*primary_700",
    checkbox_label_background_fill_selected_dark="*primary_600",
    checkbox_label_text_color_selected="white",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_dark="*primary_600",
    button_primary_background_fill_hover_dark="*primary_700",
    button_primary_text_color="white",
    link_text_color="*primary_700",
    link_text_color_dark="*primary_200",
)

CSS = """
#pg-title h1 { font-size: clamp(1.45rem, 5.2vw, 2.1rem); line-height: 1.2; margin: 0; }
#pg-intro p, #pg-privacy p { margin: 0; }
#pg-upload { min-height: 52px; font-size: 1.1rem; }
#pg-protect { min-height: 52px; font-size: 1.15rem; }
#pg-header, #pg-privacy { flex-wrap: wrap; }
#pg-title, #pg-privacy-text { min-width: min(300px, 100%) !important; flex: 4 1 300px !important; }
#pg-status { scroll-margin-top: 8px; }
/* While protecting, the progress (Gradio's status tracker) replaces the note instead of covering it;
   its own timer ("8.1s") is hidden: the words say how long is left. */
#pg-status .html-container.pending { visibility: hidden; }
#pg-status .progress-level-inner { font-family: var(--font); font-size: 1rem; line-height: 1.4; white-space: normal;
                                   color: var(--body-text-color); }
#pg-status .progress-text, #pg-status .meta-text, #pg-status .meta-text-center { display: none !important; }
/* Gradio's own pop-ups at the bottom, away from the language switch and the verdict. */
.toast-wrap { top: auto !important; bottom: 12px; left: 12px !important; right: 12px !important; width: auto !important;
              align-items: center !important; }
/* A focus ring that can be seen, on every control. */
#pg-strength label:has(input:focus-visible), #pg-language label:has(input:focus-visible),
.pg-toggle:has(input:focus-visible), .pg-zoom:has(input:focus-visible) {
  outline: 3px solid #4338ca; outline-offset: 2px; }
button:focus-visible, summary:focus-visible, a:focus-visible, input:focus-visible {
  outline: 3px solid #4338ca !important; outline-offset: 2px; }

/* The photos chosen: thumbnails and names. */
#pg-chosen { margin: 2px 0; }
.pg-chosen-none, .pg-chosen-count { margin: 0; }
.pg-thumbs { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; margin: 6px 0 0; padding: 0; }
.pg-thumbs li { display: flex; flex-direction: column; align-items: center; gap: 2px; max-width: 104px; }
.pg-thumb { width: 96px; height: 96px; object-fit: contain; border-radius: 6px;  /* sized before it loads */
            border: 1px solid var(--border-color-primary); }
.pg-thumb-name { font-size: 0.8rem; overflow-wrap: anywhere; text-align: center; }
.pg-note.pg-deleted, #pg-deleted .pg-note { margin-top: 4px; }

/* The verdict of each photo: the first thing read. */
.pg-verdicts { display: grid; gap: 10px; }
.pg-card { border: 2px solid; border-radius: 12px; padding: 12px 14px; }
.pg-card p { margin: 4px 0 0; color: #1f2937; font-size: 1rem; line-height: 1.5; }
.pg-headline { display: flex; gap: 0.5em; align-items: center; margin: 0; font-size: 1.6rem; line-height: 1.2; }
.pg-mark { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 1.5em;
           height: 1.5em; border-radius: 50%; color: #fff; font-size: 0.8em; font-weight: 700; }
.pg-name { font-weight: 600; overflow-wrap: anywhere; }
.pg-more { font-size: 0.7em; font-weight: 600; }
.pg-sure { margin-top: 6px; }
.pg-sure summary { cursor: pointer; font-weight: 600; color: #3730a3; }
.pg-sure p { font-size: 0.95rem !important; }
.pg-card-download a { font-weight: 600; color: #3730a3; }
.pg-ok { border-color: #15803d; background: #f0fdf4; } .pg-ok .pg-headline { color: #14532d; } .pg-ok .pg-mark { background: #15803d; }
.pg-warn { border-color: #b45309; background: #fffbeb; } .pg-warn .pg-headline { color: #78350f; } .pg-warn .pg-mark { background: #b45309; }
.pg-info { border-color: #1d4ed8; background: #eff6ff; } .pg-info .pg-headline { color: #1e3a8a; } .pg-info .pg-mark { background: #1d4ed8; }
.pg-error { border-color: #b91c1c; background: #fef2f2; } .pg-error .pg-headline { color: #7f1d1d; } .pg-error .pg-mark { background: #b91c1c; }
.dark .pg-card p { color: #e5e7eb; }
.dark .pg-sure summary, .dark .pg-card-download a { color: #c7d2fe; }
.dark .pg-ok { background: #052e16; } .dark .pg-ok .pg-headline { color: #bbf7d0; }
.dark .pg-warn { background: #451a03; } .dark .pg-warn .pg-headline { color: #fde68a; }
.dark .pg-info { background: #172554; } .dark .pg-info .pg-headline { color: #bfdbfe; }
.dark .pg-error { background: #450a0a; } .dark .pg-error .pg-headline { color: #fecaca; }
.pg-note { border: 1px dashed var(--border-color-primary); border-radius: 12px; padding: 12px 14px; }
.pg-note p { margin: 0; }
/* The server stopped: its files are gone, so no download is offered any more. */
.pg-offline { display: none; border: 2px solid #b91c1c; border-radius: 12px; padding: 12px 14px; margin: 0;
              background: #fef2f2; color: #7f1d1d !important; font-weight: 600; }
body.pg-server-gone .pg-offline { display: block !important; }  /* over Gradio's scoped copy of the rule above */
body.pg-server-gone #pg-download, body.pg-server-gone .pg-card-download { display: none !important; }

/* The comparison: one view per face at 100 % (or 200 %), centred on the face; the original shows in
   the same place while the view is held or "Show the original" is on. */
.pg-section { margin: 8px 0; }
.pg-face { margin: 0 0 18px; }
.pg-face h3 { margin: 4px 0 6px; font-size: 1.05rem; overflow-wrap: anywhere; }
.pg-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin: 0 0 6px; }
.pg-toggle { display: inline-flex; align-items: center; gap: 8px; min-height: 40px; padding: 4px 12px; border-radius: 8px;
             border: 1px solid var(--border-color-primary); font-weight: 600; cursor: pointer; }
.pg-toggle input { width: 20px; height: 20px; accent-color: #4338ca; }
.pg-zooms { display: inline-flex; align-items: center; gap: 6px; border: 0; margin: 0; padding: 0; }
.pg-zooms legend { float: left; margin-right: 6px; padding: 0; }
.pg-zoom { display: inline-flex; align-items: center; gap: 4px; min-height: 40px; padding: 4px 10px; border-radius: 8px;
           border: 1px solid var(--border-color-primary); cursor: pointer; }
.pg-zoom input { accent-color: #4338ca; }
.pg-view { position: relative; overflow: hidden; width: min(100%, calc(var(--w) * var(--z, 1)));
           height: min(52vh, 560px, calc(var(--h) * var(--z, 1)));
           border-radius: 10px; background: #111827; cursor: pointer; touch-action: pan-y;
           user-select: none; -webkit-user-select: none; -webkit-touch-callout: none; }
.pg-view img { position: absolute; left: 50%; top: 50%; width: var(--w); height: var(--h); max-width: none !important;
               max-height: none !important; margin: 0; pointer-events: none;
               transform-origin: var(--cx) var(--cy);
               transform: translate(calc(-1 * var(--cx)), calc(-1 * var(--cy))) scale(var(--z, 1)); }
.pg-face:has(.pg-zoom input[value="2"]:checked) { --z: 2; }
.pg-face:has(.pg-zoom input[value="2"]:checked) .pg-view img { image-rendering: pixelated; }
.pg-view .pg-before, .pg-view .pg-state-before { visibility: hidden; }
.pg-face:has(.pg-toggle input:checked) .pg-before, .pg-view:active .pg-before, .pg-view.pg-holding .pg-before,
.pg-face:has(.pg-toggle input:checked) .pg-state-before, .pg-view:active .pg-state-before,
.pg-view.pg-holding .pg-state-before { visibility: visible; }
.pg-face:has(.pg-toggle input:checked) .pg-state-after, .pg-view:active .pg-state-after,
.pg-view.pg-holding .pg-state-after { visibility: hidden; }
.pg-state { position: absolute; top: 8px; left: 8px; padding: 3px 10px; border-radius: 6px;
            background: rgba(17, 24, 39, 0.88); color: #fff; font-size: 0.9rem; font-weight: 600; line-height: 1.4; }
.pg-hint { margin: 6px 0 4px; font-size: 0.9rem; }
.pg-diff summary { cursor: pointer; font-weight: 600; }
.pg-diff { overflow-x: auto; }
img.pg-native { max-width: none !important; margin: 4px 0 0; }
"""
