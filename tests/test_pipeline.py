"""protect(): formats, metadata, no-face photos, input safety, the verification score."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE
from PIL import Image
from PIL.JpegImagePlugin import get_sampling

import photoguard
from photoguard.config import PRESETS, preset
from photoguard.errors import UsageError
from photoguard.types import Face

FAST = preset("fast").with_(steps=4)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dirty_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as a JPEG with GPS, a camera serial and an owner name."""
    im = Image.open(SAMPLE).convert("RGB")
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"  # Artist
    exif[0x0110] = "SM-S918B"  # Model
    exif[0xA431] = "R5CX12345678"  # BodySerialNumber (in the EXIF IFD below)
    exif.get_ifd(0x8769)[0xA431] = "R5CX12345678"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (37.0, 29.0, 52.8), 3: "E", 4: (127.0, 1.0, 40.8)})
    path = tmp_path_factory.mktemp("in") / "selfie.jpg"
    im.save(path, "JPEG", quality=92, exif=exif)
    return path


@pytest.mark.weights
def test_png_in_png_out_without_metadata(weights, tmp_path: Path) -> None:
    before = _sha(SAMPLE)
    result = photoguard.protect(SAMPLE, strength=FAST, output=f"{tmp_path}/out/")
    assert _sha(SAMPLE) == before
    assert result.output_path == tmp_path / "out" / "astronaut.png"
    with Image.open(result.output_path) as im:
        assert im.format == "PNG" and im.size == (512, 512)
        assert np.array_equal(np.asarray(im.convert("RGB")), result.image)
    assert result.faces and result.faces[0].protected
    face = result.faces[0]
    assert face.verification_encoder == FAST.holdout
    from photoguard.imageio import open_image
    from photoguard.models.encoders import ENCODERS
    from photoguard.verify import VERDICT_MARGIN, compare_identity

    # The score is what the held-out encoder says about the file as written, measured independently.
    written = open_image(result.output_path).rgb
    again = compare_identity(
        open_image(SAMPLE).rgb, written, [photoguard.detect_faces(open_image(SAMPLE).rgb)[0]], (FAST.holdout,)
    )
    assert face.verification_similarity == pytest.approx(again.similarity[FAST.holdout][0], abs=1e-4)
    assert face.verification_similarity < 0.95  # four steps already move the face (the original is 1.0)
    assert face.verification_threshold == pytest.approx(ENCODERS[FAST.holdout].photo_threshold - VERDICT_MARGIN)
    assert face.status in ("protected", "still recognised")
    assert result.face_psnr is not None and result.psnr > result.face_psnr
    assert result.strength == "custom"  # a preset with changes is no longer that preset
    assert result.message == f"{result.headline}: {result.details}" and "1 of 1 face(s) cloaked" in result.details
    assert result.verdict == ("not protected" if face.still_recognised else "protected")
    assert set(result.timings) >= {"load", "detect", "cloak", "verify", "write", "total"}


@pytest.mark.weights
def test_jpeg_in_jpeg_out_high_quality_444_and_clean(weights, dirty_jpeg: Path, tmp_path: Path) -> None:
    before = _sha(dirty_jpeg)
    result = photoguard.protect(dirty_jpeg, strength=FAST, output=tmp_path / "p.jpg")
    assert _sha(dirty_jpeg) == before
    data = result.output_path.read_bytes()
    for secret in (b"Jane Doe", b"R5CX12345678", b"SM-S918B"):
        assert secret not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert get_sampling(im) == 0  # 4:4:4
        assert not im.getexif().get_ifd(0x8825)
        # quality >= 95: the first luma quantiser step is 2 or less
        assert im.quantization[0][0] <= 2
    assert any("location" in f for f in result.metadata.findings)


@pytest.mark.weights
def test_no_face_strips_metadata_losslessly(weights, tmp_path: Path) -> None:
    src = tmp_path / "wall.jpg"
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"
    Image.fromarray(np.full((64, 96, 3), 200, np.uint8)).save(src, "JPEG", exif=exif)
    result = photoguard.protect(src, strength=FAST, output=f"{tmp_path}/out/")
    assert result.faces == [] and result.verdict == "no face" and result.message == "no face: metadata stripped only"
    out = result.output_path.read_bytes()
    assert b"Jane Doe" not in out
    assert result.metadata.pixels == "bit-identical"


@pytest.mark.weights
def test_array_input_without_output(weights, astronaut: np.ndarray) -> None:
    before = astronaut.copy()
    result = photoguard.protect(astronaut, strength=FAST.with_(steps=2))
    assert result.output_path is None and result.image.shape == astronaut.shape
    assert np.array_equal(astronaut, before)  # the caller's array is not modified
    x0, y0, x1, y1 = (int(v) for v in result.faces[0].box)
    changed = np.abs(result.image.astype(int) - astronaut.astype(int))
    assert changed[y0:y1, x0:x1].max() > 0 and changed[:8, :8].max() == 0  # the face is cloaked, a far corner not
    assert 30 < result.psnr < 60


@pytest.mark.weights
def test_refuses_low_jpeg_quality_and_overwriting_input(weights, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        photoguard.protect(SAMPLE, strength=FAST, jpeg_quality=75)
    copy = tmp_path / "astronaut.png"
    copy.write_bytes(SAMPLE.read_bytes())
    with pytest.raises(UsageError):
        photoguard.protect(copy, strength=FAST.with_(steps=1), output=copy)
    assert copy.read_bytes() == SAMPLE.read_bytes()


@pytest.mark.weights
def test_bytes_and_pil_in_bytes_out(weights, tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    encoded, result = photoguard.protect_bytes(data, strength=FAST)
    assert encoded.startswith(b"\x89PNG") and result.faces_protected == 1 and result.output_path is None
    with Image.open(io.BytesIO(encoded)) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), result.image)
    with Image.open(SAMPLE) as im:
        from_pil = photoguard.protect(im, strength=FAST, output=tmp_path / "p.png")
        assert im.size == (512, 512) and im.mode == "RGB"  # the caller's image is left alone
    assert from_pil.output_path == tmp_path / "p.png" and np.array_equal(from_pil.image, result.image)


def test_an_output_name_that_lies_about_the_format_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "wall.jpg"
    Image.fromarray(np.full((64, 96, 3), 200, np.uint8)).save(src, "JPEG")
    with pytest.raises(UsageError, match=r"written as JPEG; name the output x\.jpg"):
        photoguard.protect(src, strength=FAST, output=tmp_path / "x.png")
    with pytest.raises(UsageError, match="not int"):
        photoguard.protect(3, strength=FAST)  # type: ignore[arg-type]
    assert not (tmp_path / "x.png").exists()


def test_strip_metadata_takes_bytes(tmp_path: Path) -> None:
    src = tmp_path / "wall.jpg"
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"
    Image.fromarray(np.full((64, 96, 3), 200, np.uint8)).save(src, "JPEG", exif=exif)
    report = photoguard.strip_metadata(src.read_bytes(), tmp_path / "clean.jpg")
    assert b"Jane Doe" not in (tmp_path / "clean.jpg").read_bytes() and report.removed
    with pytest.raises(UsageError, match="strip_bytes"):
        photoguard.strip_metadata(src.read_bytes())
    data, _ = photoguard.strip_bytes(src.read_bytes())
    assert data == (tmp_path / "clean.jpg").read_bytes()


@pytest.mark.weights
def test_progress_moves_through_models_faces_and_steps(weights, astronaut: np.ndarray) -> None:
    seen: list[tuple[float, str]] = []
    photoguard.protect(astronaut, strength=FAST, progress=lambda f, stage: seen.append((f, stage)))
    stages = [stage for _, stage in seen]
    assert "loading the face models" in stages
    steps = [s for s in stages if s.startswith("cloaking: face 1 of 1, step ")]
    assert steps[0] == "cloaking: face 1 of 1, step 1 of 4" and len(steps) >= 2
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] >= 0.0 and fractions[-1] <= 1.0


@pytest.mark.weights
@pytest.mark.slow
@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_keeps_its_visibility_promise_on_a_real_face(weights, astronaut: np.ndarray, name: str) -> None:
    """The visibility targets are a promise about the file as written: every cloaked face's JOD (the
    model of human vision, measured on the written bytes) is at or above them, at 100 % on a 4K
    monitor and on a phone, and the result reports what was measured."""
    from photoguard.imageio import decode_image
    from photoguard.visibility.measure import face_jod, phone_jod

    config = preset(name)
    data, result = photoguard.protect_bytes(astronaut, strength=name, verify=False)
    (face,) = [f for f in result.faces if f.protected]
    written = decode_image(data).rgb
    region = Face(face.box, np.zeros((5, 2), np.float32), face.score)
    measured, on_phone = face_jod(astronaut, written, region), phone_jod(astronaut, written, region)
    at_100, phone = config.targets_for(region.size)  # a close-up's 4K target may be lower; this face is small
    assert (at_100, phone) == (config.jod_target, config.phone_jod_target)
    assert measured >= at_100 and on_phone >= phone
    assert face.visibility_jod == pytest.approx(measured, abs=0.01)
    assert face.phone_jod == pytest.approx(on_phone, abs=0.01)
    assert np.abs(result.image.astype(int) - astronaut.astype(int)).max() <= config.epsilon


@pytest.mark.weights
def test_two_threads_share_the_models_and_get_what_one_gets(weights, astronaut: np.ndarray) -> None:
    """The cached encoders carry no per-call state (no hooks), so concurrent cloaks do not mix."""
    from concurrent.futures import ThreadPoolExecutor

    config = FAST.with_(steps=3)
    alone = photoguard.protect(astronaut, strength=config)
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda _: photoguard.protect(astronaut, strength=config), range(2)))
    for result in both:
        assert np.array_equal(result.image, alone.image)
        assert result.faces[0].verification_similarity == pytest.approx(alone.faces[0].verification_similarity)
    photoguard.release_models()  # frees them; the next call loads them again
    again = photoguard.protect(astronaut, strength=config)
    assert np.array_equal(again.image, alone.image)


def test_the_line_words_a_measured_visibility_and_nothing_else() -> None:
    """The CLI's line (ProtectResult.details) says how visible the cloak is only from a JOD."""
    from photoguard.pipeline.result import details as _details
    from photoguard.types import FaceReport, ProtectResult

    def result(jod: float | None) -> ProtectResult:
        face = FaceReport(index=0, box=(0.0, 0.0, 90.0, 90.0), score=0.9, protected=True, visibility_jod=jod)
        return ProtectResult(image=np.zeros((2, 2, 3), np.uint8), faces=[face], timings={}, psnr=44.0, face_psnr=36.1)

    assert _details(result(None)) == "1 of 1 face(s) cloaked; face PSNR 36.1 dB"
    assert _details(result(9.64)).endswith("face PSNR 36.1 dB; cloak hard to see (9.6 JOD)")
    assert _details(result(9.2)).endswith("; cloak visible on close inspection (9.2 JOD)")
    assert _details(result(8.5)).endswith("; cloak visible (8.5 JOD)")
    # the number never reads as the next word's threshold: 8.96 is "visible", shown 8.9, not 9.0
    assert _details(result(8.963)).endswith("; cloak visible (8.9 JOD)")
