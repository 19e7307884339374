"""The page's look: a Gradio theme whose text meets WCAG AA contrast (4.5:1) in light and dark
mode, and the CSS of the verdict cards, the before/after slider and the 100 % views.

Soft's indigo-500 labels on indigo-100 (3.6:1), grey-400 help text (2.5:1) and white on
indigo-500 (4.5:1 minus rounding) failed axe-core's contrast rule; the shades below pass.
"""

from __future__ import annotations

import gradio as gr

THEME = gr.themes.Soft(primary_hue="indigo", neutral_hue="gray").set(
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
/* While protecting, the progress (Gradio's status tracker) replaces the note instead of covering it. */
#pg-status .html-container.pending { visibility: hidden; }
#pg-status .progress-level-inner { font-family: var(--font); font-size: 1rem; line-height: 1.4; white-space: normal;
                                   color: var(--body-text-color); }
#pg-status .progress-text { font-family: var(--font); color: var(--body-text-color); }

/* The verdict of each photo: the first thing read. */
.pg-verdicts { display: grid; gap: 10px; }
.pg-card { border: 2px solid; border-radius: 12px; padding: 12px 14px; }
.pg-card p { margin: 4px 0 0; color: #1f2937; }
.pg-headline { display: flex; gap: 0.5em; align-items: center; margin: 0; font-size: 1.6rem; line-height: 1.2; }
.pg-mark { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 1.5em;
           height: 1.5em; border-radius: 50%; color: #fff; font-size: 0.8em; font-weight: 700; }
.pg-name { font-weight: 600; overflow-wrap: anywhere; }
.pg-more { font-size: 0.7em; font-weight: 600; }
.pg-ok { border-color: #15803d; background: #f0fdf4; } .pg-ok .pg-headline { color: #14532d; } .pg-ok .pg-mark { background: #15803d; }
.pg-warn { border-color: #b45309; background: #fffbeb; } .pg-warn .pg-headline { color: #78350f; } .pg-warn .pg-mark { background: #b45309; }
.pg-info { border-color: #1d4ed8; background: #eff6ff; } .pg-info .pg-headline { color: #1e3a8a; } .pg-info .pg-mark { background: #1d4ed8; }
.pg-error { border-color: #b91c1c; background: #fef2f2; } .pg-error .pg-headline { color: #7f1d1d; } .pg-error .pg-mark { background: #b91c1c; }
.dark .pg-card p { color: #e5e7eb; }
.dark .pg-ok { background: #052e16; } .dark .pg-ok .pg-headline { color: #bbf7d0; }
.dark .pg-warn { background: #451a03; } .dark .pg-warn .pg-headline { color: #fde68a; }
.dark .pg-info { background: #172554; } .dark .pg-info .pg-headline { color: #bfdbfe; }
.dark .pg-error { background: #450a0a; } .dark .pg-error .pg-headline { color: #fecaca; }
.pg-note { border: 1px dashed var(--border-color-primary); border-radius: 12px; padding: 12px 14px; }
.pg-note p { margin: 0; }

/* Whole photo: original under protected, the divider follows a native range input. */
.pg-section { margin: 8px 0; }
.pg-slider { margin: 0 0 16px; }
.pg-stack { position: relative; display: inline-block; max-width: 100%; line-height: 0; }
.pg-stack img { display: block; max-width: 100%; height: auto; margin: 0; }
.pg-stack img.pg-over { position: absolute; inset: 0; width: 100%; height: 100%; }
.pg-divider { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #fff;
              box-shadow: 0 0 0 1px #111827; pointer-events: none; }
.pg-tag { position: absolute; top: 6px; padding: 3px 8px; border-radius: 6px; background: rgba(17, 24, 39, 0.88);
          color: #fff; font-size: 0.85rem; line-height: 1.3; }
.pg-left { left: 6px; } .pg-right { right: 6px; }
.pg-range-label { display: block; margin-top: 6px; }
.pg-range { display: block; width: 100%; min-height: 32px; margin-top: 4px; accent-color: #4338ca; }

/* Faces at 100 %: one image pixel per CSS pixel, panned inside the box. */
.pg-face h4 { margin: 12px 0 2px; }
.pg-hint { margin: 0 0 6px; }
.pg-pan { display: flex; gap: 10px; overflow: auto; max-width: 100%; max-height: 85vh; padding: 4px;
          border: 1px solid var(--border-color-primary); border-radius: 8px; -webkit-overflow-scrolling: touch; }
.pg-pan:focus-visible, .pg-range:focus-visible { outline: 3px solid #4338ca; outline-offset: 2px; }
.pg-side, .pg-diff { margin: 0; flex: none; }
.pg-diff { margin-top: 10px; }
.pg-side figcaption, .pg-diff figcaption { font-weight: 600; margin: 0 0 4px; }
img.pg-native { max-width: none !important; margin: 0; }
"""
