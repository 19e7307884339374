"""The app's English: every message template, by key (the keys and placeholders match :mod:`.ko`)."""

EN: dict[str, str] = {
    # the page
    "title": "# photoguard: protect your selfie before you post it",
    "intro": (
        "photoguard adds a cloak to every face, made so that face-swap bots and face-recognition "
        "tools see a different person, and removes hidden data such as your GPS location and phone "
        "serial number."
    ),
    "language": "Language",
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
    "chosen": "Chosen: {n} photo(s)",
    "chosen.thumb": "{name}, the photo you chose",
    "strength": "Protection strength",
    "strength.info": (
        "Medium is recommended. Light is the hardest to see but protects far less (about 1 person "
        "in 3 in our tests). Fast takes seconds but protects less. Strong protects most and "
        "changes the face more. Hidden data only leaves the face as it is."
    ),
    "strength.fast": "Fast",
    "strength.medium": "Medium (recommended)",
    "strength.light": "Light (hardest to see)",
    "strength.strong": "Strong",
    "strength.metadata only": "Hidden data only",
    "advanced": "Advanced",
    "edits": "Also add the experimental pattern against AI editing",
    "edits.info": (
        "It makes one small AI model reproduce the photo a little worse (measured on that model only); "
        "it does not stop editing apps from changing your photo."
    ),
    "stage.adding the edit defence": "adding the pattern against AI editing",
    "preset.fast": "fast",
    "preset.medium": "medium",
    "preset.light": "light",
    "preset.strong": "strong",
    "protect": "Protect my photos",
    "idle": "Choose a photo, then press **Protect my photos**. The result appears here.",
    "no_photo": "Please choose a photo first, then press **Protect my photos**.",
    "download.one": "Download the protected photo ({name})",
    "download.cloaked": "Download the cloaked photo ({name})",
    "download.clean": "Download the photo without hidden data ({name})",
    "download.zip": "Download all {n} photos in one ZIP file (for a computer)",
    "download.card": "Download this photo",
    "offline": (
        "photoguard has stopped on the computer running it, and your photos were deleted there, so "
        "there is nothing left to download. Start it again to protect photos."
    ),
    "details": "Details",
    # progress
    "progress.one": "{name}: {stage}",
    "progress.many": "Photo {i} of {n}, {name}: {stage}",
    "left.s": "about {n} s left",
    "left.min": "about {n} min left",
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
    "why.protected": "A face-recognition model the cloak was not tuned against now sees a different person.",
    "why.recognised": "A face-recognition model still recognises the same person: choose **Strong** and try again.",
    "why.recognised strong": (
        "Even **Strong** was not enough: a face-recognition model still recognises the "
        "same person. It is safer not to post this photo."
    ),
    "why.too small": (
        "The face is {px} px across, and faces under {min} px are not cloaked at any strength. It was left "
        "as it is; only the hidden data was removed. A photo where the face is larger can be protected."
    ),
    "why.partly": "Only {safe} of {total} faces are protected; see the details below.",
    "why.not checked": (
        "The cloak was added, but its effect could not be checked (the face was not found again). Do not count on it."
    ),
    "why.no face": "No face was found, so nothing was cloaked; only hidden data was removed.",
    "why.metadata": "Faces were not cloaked; hidden data was removed and the pixels were left as they are.",
    # what the verdict does not cover (photoguard.coverage holds the figures)
    "coverage": (
        "This is one check with one model. It does not cover every other face-recognition model, other "
        "photos of you that are already public (a face-swap tool can take your face from those), or "
        "editing apps that change the body and keep the face."
    ),
    "sure.title": "How sure is this?",
    "sure.body": (
        "We tested the {preset} setting on {people} people, each time leaving one of three face-recognition "
        "models out of the cloak, to stand for a model it has never seen. That model no longer recognised "
        "{ranges} of them, depending on the model and on how the photo was posted (as it is, recompressed "
        "or made smaller). In {low} to {high} of the {people} photos this check said “protected” while the "
        "left-out model still recognised the person. Fast and Strong were not tested this way."
    ),
    "sure.range": "{low}–{high} %",
    "sure.and": "{first} and {last}",
    # how visible the cloak is, only where it was measured (FaceReport.visibility)
    "visibility.hard to see": (
        "The cloak is hard to see: a model of human vision, comparing the face with the original at 100 %, "
        "rates the difference as hard to notice."
    ),
    "visibility.visible on close inspection": (
        "The cloak is visible on close inspection: looking closely at 100 %, next to the original, a "
        "person can spot it. Compare below before you post."
    ),
    "visibility.visible": (
        "The cloak is visible: at 100 % a person can see that the face was changed. Compare below before you post."
    ),
    "visibility.line": "**How visible:** {words} ({jod} of 10, measured by a model of human vision).",
    "visibility.words.hard to see": "hard to see",
    "visibility.words.visible on close inspection": "visible on close inspection",
    "visibility.words.visible": "visible",
    # the report
    "report.heading": "### {mark} {headline}: {name} ({strength})",
    "report.heading.plain": "### {mark} {headline}: {name}",
    "faces.none": (
        "**Faces:** no face found, so nothing was cloaked. The pixels are untouched; only hidden data was removed."
    ),
    "faces.none.edits": "**Faces:** no face found, so nothing was cloaked.",
    "edits.added": (
        "**Pattern against AI editing:** added over the photo (photo PSNR {psnr} dB). It makes one small AI "
        "model (TAEF2) reproduce the photo a little worse; it was not measured against other editors and "
        "does not stop an edit."
    ),
    "faces.count": "**Faces:** {found} found, {cloaked} cloaked, {safe} checked protected.",
    "faces.metadata": "**Faces:** not cloaked (hidden data only was chosen).",
    "face.label": "Face {n}",
    "face.not cloaked": "⚠️ not protected ({reason}).",
    "reason.too small": "too small to cloak: {px} px (minimum {min} px)",
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
    "quality.unchanged": "**Pixels:** unchanged.",
    "quality": (
        "**Pixel difference:** PSNR {psnr} dB for the whole photo{face} (higher is closer to the original; "
        "it counts changed pixels and does not say what a person sees)."
    ),
    "quality.face": ", {psnr} dB around the face",
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
    # the 100 % comparison
    "view.heading": "Compare at 100 %",
    "view.face": "{name}, face {n}",
    "view.hint": (
        "At 100 % the photo is shown at its own size. Press and hold the picture, or turn on "
        "“Show the original”, to see the original in the same place."
    ),
    "view.toggle": "Show the original",
    "view.zoom": "Zoom",
    "view.original": "Original",
    "view.protected": "Protected",
    "view.cloaked": "With cloak",
    "view.alt": "{name}, face {n}, {side}, {w} × {h} pixels",
    "view.region": "{name}, face {n}: {side}; press and hold for the original",
    "view.diff": "What the cloak changed, made {gain} times stronger (grey: unchanged)",
    "view.diff.alt": "{name}, face {n}: what the cloak changed, made {gain} times stronger; grey means unchanged",
}
