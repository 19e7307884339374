"""The app's English: every message template, by key (the keys and placeholders match :mod:`.ko`)."""

EN: dict[str, str] = {
    # the page
    "title": "# photoguard: protect your selfie before you post it",
    "intro": (
        "photoguard adds a cloak you can hardly see to every face, so face-swap bots and "
        "face-recognition tools see a different person. It also removes hidden data such as "
        "your GPS location and phone serial number."
    ),
    "language": "Language / 언어",
    "privacy": (
        "Your photos are processed only on the computer running photoguard, and deleted when "
        "you close this page, after {keep}, or now:"
    ),
    "keep.hour": "1 hour",
    "keep.hours": "{n} hours",
    "delete": "Delete my photos now",
    "deleted": (
        "**Deleted.** Your uploaded photos, previews and protected files are gone from the computer running photoguard."
    ),
    "choose": "Choose photos",
    "chosen.none": "No photo chosen yet (JPEG, PNG, WebP or HEIC; one or several).",
    "chosen": "Chosen: {names}",
    "strength": "Protection strength",
    "strength.info": (
        "Medium is recommended. Fast takes seconds but protects less. Strong protects most "
        "and may be visible up close. Metadata only removes hidden data and leaves the "
        "face as it is."
    ),
    "strength.fast": "Fast",
    "strength.medium": "Medium (recommended)",
    "strength.strong": "Strong",
    "strength.metadata only": "Metadata only",
    "edits": "Also defend against AI editing (experimental)",
    "edits.info": (
        "Adds a faint pattern over the whole photo that makes one small AI image encoder (TAEF2, FLUX.2's "
        "latent space) reproduce it worse. Measured on that encoder only, and only partly effective: "
        "it is not a guarantee against 'nudify' apps."
    ),
    "stage.adding the edit defence": "adding the defence against AI editing",
    "preset.fast": "fast",
    "preset.medium": "medium",
    "preset.strong": "strong",
    "protect": "Protect my photos",
    "idle": "Choose a photo, then press **Protect my photos**. The result appears here.",
    "no_photo": "Please choose a photo first, then press **Protect my photos**.",
    "download.one": "Download the protected photo ({name})",
    "download.cloaked": "Download the cloaked photo ({name})",
    "download.clean": "Download the photo without hidden data ({name})",
    "download.zip": "Download all {n} photos (ZIP)",
    "downloads": "Protected photos, one by one",
    "details": "Details",
    # progress
    "progress.one": "{name}: {stage}",
    "progress.many": "Photo {i} of {n}, {name}: {stage}",
    "stage.start": "starting",
    "stage.reading": "reading the photo",
    "stage.detecting faces": "detecting faces",
    "stage.loading the face models": "loading the face models (the first time takes a while)",
    "stage.cloaking": "cloaking {n} face(s)",
    "stage.step": "cloaking: face {i} of {n}, step {s} of {steps}",
    "stage.verifying": "checking the protection",
    "stage.writing": "saving the protected photo",
    "stage.done": "finishing",
    "stage.making previews": "making previews",
    "stage.removing hidden data": "removing hidden data",
    # verdicts: the headline of every photo (the English repeats ProtectResult.headline)
    "verdict.protected": "protected",
    "verdict.partly": "partly protected ({safe} of {total} faces)",
    "verdict.not protected": "not protected",
    "verdict.try strong": "not protected (try strong)",
    "verdict.not checked": "not checked",
    "verdict.too small": "too small to cloak",
    "verdict.no face": "no face",
    "verdict.metadata": "hidden data removed (metadata only)",
    "verdict.error": "not processed",
    # one sentence under each verdict
    "why.protected": ("A face-recognition model the cloak was not tuned against now sees a different person."),
    "why.recognised": "A face-recognition model still recognises the same person: choose **Strong** and try again.",
    "why.recognised strong": (
        "Even **Strong** was not enough: a face-recognition model still recognises the "
        "same person. It is safer not to post this photo."
    ),
    "why.too small": "The face is too small to cloak. A photo where the face is larger can be protected.",
    "why.partly": "Only {safe} of {total} faces are protected; see the details below.",
    "why.not checked": (
        "The cloak was added, but its effect could not be checked (the face was not found again). Do not count on it."
    ),
    "why.no face": "No face was found, so nothing was cloaked; only hidden data was removed.",
    "why.metadata": "Faces were not cloaked; hidden data was removed and the pixels were left as they are.",
    # the report
    "report.heading": "### {mark} {headline}: {name} ({strength})",
    "report.heading.plain": "### {mark} {headline}: {name}",
    "faces.none": (
        "**Faces:** no face found, so nothing was cloaked. The pixels are untouched; only hidden data was removed."
    ),
    "faces.none.edits": "**Faces:** no face found, so nothing was cloaked.",
    "edits.added": (
        "**AI editing:** a faint pattern was added over the photo (photo PSNR {psnr} dB). It makes one small "
        "AI image encoder (TAEF2) reproduce the photo worse; it was not measured against other editors."
    ),
    "faces.count": "**Faces:** {found} found, {cloaked} cloaked, {safe} checked protected.",
    "faces.metadata": "**Faces:** not cloaked (metadata only was chosen).",
    "face.label": "Face {n}",
    "face.not cloaked": "⚠️ not protected ({reason}).",
    "reason.too small": "too small to protect: {px} px (minimum {min} px)",
    "reason.unknown": "unknown reason",
    "check.lost": (
        "⚠️ Not checked: after the cloak the face detector did not find this face again, so its "
        "protection could not be measured. Another detector may still find it."
    ),
    "check.numbers": (
        "similarity {sim}, was 1.00; the same person from {limit}, a safety margin included "
        "(checked with {model}, a model the cloak was not tuned against)"
    ),
    "check.any model": "a face-recognition model",
    "check.safe": "✅ A face-recognition model now sees a different person: {numbers}.",
    "check.recognised": (
        "⚠️ A face-recognition model still sees the same person: {numbers}. Try the **strong** "
        "setting for more protection."
    ),
    "check.recognised strong": (
        "⚠️ A face-recognition model still sees the same person: {numbers}, even at the strongest setting."
    ),
    "quality.unchanged": "**Quality:** the pixels are unchanged.",
    "quality": ("**Quality:** PSNR {psnr} dB for the whole photo{face} (higher is closer to the original; {verdict})."),
    "quality.face": ", {psnr} dB around the face",
    "quality.invisible": "the change is invisible to the eye",
    "quality.hard": "the change is hard to see, even side by side",
    "quality.visible": "the change may be visible up close",
    "hidden.unread": "**Hidden data:** the original's metadata could not be read, but the protected file holds none.",
    "hidden.none": "**Hidden data:** none found (no location, device, dates or names); the file is clean.",
    "hidden.removed": "**Hidden data removed:**",
    "pixels.same": "**Pixels:** unchanged, copied bit for bit.",
    "pixels.other": "**Pixels:** {detail}.",
    "download.line": "**Download:** `{name}`, exactly the file photoguard wrote (the previews are only for looking).",
    "error.line": "❌ {message}",
    # metadata findings, by kind (photoguard.app.report.FINDING_KEYS; {value} is kept as found)
    "finding.location": "GPS location: {value} (where the photo was taken)",
    "finding.gps": "GPS data (where the photo was taken)",
    "finding.thumbnail": "Embedded thumbnail, a small hidden copy of the picture{value}",
    "finding.uncropped": "may show the uncropped original",
    "finding.serial": "Phone or camera serial number: {value}",
    "finding.maker": "Phone or camera maker: {value}",
    "finding.device": "Phone or camera model: {value}",
    "finding.lens maker": "Lens maker: {value}",
    "finding.lens": "Lens: {value}",
    "finding.date": "Date and time: {value}",
    "finding.place": "Place name: {value}",
    "finding.id": "Unique photo ID: {value}",
    "finding.software": "Editing software: {value}",
    "finding.computer": "Computer name: {value}",
    "finding.owner": "Owner name: {value}",
    "finding.author": "Author: {value}",
    "finding.motion": "Motion-photo marker",
    "finding.motion video": "Motion-photo video, a short clip recorded with the picture ({value})",
    "finding.altitude": "GPS altitude: {value} m",
    "finding.maker notes": "Camera maker notes ({value}), which often hold serial numbers",
    "finding.artist": "Artist name: {value}",
    "finding.creator": "Creator name: {value}",
    "finding.copyright": "Copyright: {value}",
    "finding.text": "Text ({where}): {value}",
    "finding.ai": "AI generation prompt or settings ({where}): {value}",
    # errors (no file-system paths in them)
    "error.too large": "This photo is too large to process ({detail}). Please resize it and try again.",
    "error.corrupt": (
        "This file looks damaged or incomplete, so it cannot be opened. Try saving or exporting it again."
    ),
    "error.unsupported": "This is not a photo photoguard can read. Please upload a JPEG, PNG, WebP or HEIC image.",
    "error.models": "The face models are missing or damaged on the computer running photoguard: {detail}",
    "error.other": "This photo could not be processed: {detail}",
    "error.missing": "This photo is no longer on the computer running photoguard (it was deleted). Please choose it again.",
    "error.unexpected": (
        "Something unexpected went wrong, and nothing was saved for this photo. The details "
        "were written to the log of the computer running photoguard."
    ),
    "error.none": "None of the photos could be processed; see the details.",
    # the 100 % views
    "view.heading": "See the difference",
    "view.photo": "{name}",
    "view.slider": "Slide to compare: original on the left, {side} on the right",
    "view.original": "Original",
    "view.protected": "Protected",
    "view.cloaked": "With cloak",
    "view.side.protected": "protected",
    "view.side.cloaked": "with cloak",
    "view.whole.alt": "{name}, whole photo, {side} (reduced)",
    "view.face": "Face {n} at 100 %",
    "view.face.hint": "One pixel of the photo is one pixel on screen. Swipe or scroll to move around.",
    "view.pan": "Face {n} at 100 %: original and {side}, side by side",
    "view.face.alt": "Face {n}, {side}, {w} × {h} pixels",
    "view.diff": "Difference, made {gain} times stronger (grey: unchanged)",
    "view.diff.alt": "Face {n}: what the cloak changed, made {gain} times stronger; grey means unchanged",
    "view.diff.pan": "Face {n}: the difference, at 100 %",
}
