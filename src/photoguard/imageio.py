"""Image loading and saving at the library's edges.

Inside the library pixels are float tensors ``N x 3 x H x W`` in [0, 1]; at the edges they are
``H x W x 3`` uint8 RGB arrays. Loading applies the EXIF orientation, converts every mode
(16-bit, palette, alpha, CMYK, grey) to 8-bit RGB and refuses photos over the pixel limit
(:data:`DEFAULT_MAX_PIXELS`, checked from the header before any pixel is decoded). Saving is
atomic: a temp file in the destination folder, then ``os.replace``. Importing this module does
not import torch; only :func:`to_tensor` and :func:`to_uint8` do.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from photoguard.errors import CorruptImageError, ImageNotFoundError, ImageTooLargeError, UnsupportedImageError
from photoguard.fileio import atomic_write_bytes, read_error, read_regular  # noqa: F401  (re-exported: the one atomic writer)
from photoguard.formats import FORMATS, JPEG_QUALITY, MULTI_FRAME_FORMATS

if TYPE_CHECKING:  # torch is imported by the two tensor helpers only (it costs ~2 s of start-up)
    import torch


def register_heif() -> bool:
    """Teach Pillow HEIC/HEIF (iPhone photos) on the first decode, not at import (importing photoguard
    must not change Pillow for the rest of a program); False if pillow-heif is missing."""
    global HEIF_AVAILABLE
    if HEIF_AVAILABLE is None:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
            HEIF_AVAILABLE = True
        except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
            HEIF_AVAILABLE = False
    return HEIF_AVAILABLE


#: Whether HEIC/HEIF can be read: None until the first decode asks (:func:`register_heif`).
HEIF_AVAILABLE: bool | None = None

#: The pixel limit: photoguard takes photos of up to 100 million pixels (100 MP; a 100 MP photo
#: decodes to 300 MB of RGB). Checked once, by :func:`check_pixels`, from the file's header before any
#: pixel is decoded, so a small file that claims a huge picture (a "decompression bomb") costs nothing.
#: Pillow's own warning at 89.5 MP is not an error here (it would refuse photos the limit allows).
DEFAULT_MAX_PIXELS = 100_000_000
#: Pillow formats photoguard reads (the keys of :data:`photoguard.formats.FORMATS`).
SUPPORTED_FORMATS = frozenset(FORMATS)


@dataclass
class LoadedImage:
    """A decoded photo.

    Attributes:
        rgb: ``H x W x 3`` uint8 RGB, orientation already applied.
        alpha: ``H x W`` uint8 alpha channel, or None when the image is opaque.
        format: Pillow's format name of the source (``"JPEG"``, ``"PNG"``, ...).
        icc_profile: the embedded ICC profile bytes, or None.
        source: the path it was read from, if any.
        frames: frames or pages in the file (an animated PNG/WebP/GIF, a multi-page TIFF; an MPO
            or HEIF counts its primary image only).
    """

    rgb: np.ndarray
    alpha: np.ndarray | None = None
    format: str = "PNG"
    icc_profile: bytes | None = None
    source: Path | None = None
    info: dict = field(default_factory=dict)
    frames: int = 1

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        return self.rgb.shape[1], self.rgb.shape[0]


def _to_rgb(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Convert any Pillow mode to (uint8 RGB, optional uint8 alpha)."""
    alpha = None
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if mode.startswith("I;16") or arr.max(initial=0) > 255 else 255.0
        grey = np.clip(np.rint(arr / peak * 255.0), 0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2), None
    if mode == "F":
        grey = np.clip(
            np.rint(np.asarray(im, dtype=np.float64) * (255.0 if np.asarray(im).max() <= 1 else 1.0)), 0, 255
        )
        return np.repeat(grey.astype(np.uint8)[..., None], 3, axis=2), None
    if mode == "CMYK":
        profile = im.info.get("icc_profile")
        if profile:
            try:
                src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
                converted = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
                im = converted if converted is not None else im.convert("RGB")
            except (ImageCms.PyCMSError, OSError):
                im = im.convert("RGB")
        else:
            im = im.convert("RGB")
        return np.asarray(im, dtype=np.uint8).copy(), None
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    elif mode in ("P", "1", "L", "YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = np.asarray(im.convert("RGBA"), dtype=np.uint8)
        alpha = rgba[..., 3].copy()
        if alpha.min() == 255:
            alpha = None
        return rgba[..., :3].copy(), alpha
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8), alpha  # read-only, over Pillow's bytes: no third copy of the photo


def open_image(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read a photo from disk as orientation-corrected 8-bit RGB.

    Raises:
        UnsupportedImageError: not a file, empty, or not an image format photoguard reads.
        CorruptImageError: truncated or undecodable image data.
        ImageTooLargeError: more than ``max_pixels`` pixels (:func:`check_pixels`).
    """
    path = Path(path)
    if not path.exists():
        raise ImageNotFoundError(path=path)
    try:
        data = read_regular(path)  # a FIFO or device is refused, never read (it would block)
    except OSError as exc:
        raise UnsupportedImageError(read_error(exc), path=path) from None
    if not data:
        raise CorruptImageError("empty file (0 bytes)", path=path)
    loaded = decode_image(data, max_pixels=max_pixels, name=str(path))
    loaded.source = path
    return loaded


def check_pixels(width: int, height: int, max_pixels: int = DEFAULT_MAX_PIXELS, name: str = "<bytes>") -> None:
    """Refuse a photo of more than ``max_pixels`` pixels, in words a person reads.

    Example:
        >>> check_pixels(12000, 9000, name="big.jpg")
        Traceback (most recent call last):
        ...
        photoguard.errors.ImageTooLargeError: big.jpg: 12000 x 9000 = 108.0 million pixels; photoguard takes photos of up to 100 million pixels

    Raises:
        ImageTooLargeError: ``width * height > max_pixels``.
    """
    if width * height > max_pixels:
        raise ImageTooLargeError(_too_many(width * height, max_pixels, f"{width} x {height} = "), path=name)


def _too_many(pixels: int | None, max_pixels: int, size: str = "") -> str:
    have = f"{size}{pixels / 1e6:.1f} million pixels" if pixels else "too many pixels"
    return f"{have}; photoguard takes photos of up to {max_pixels / 1e6:g} million pixels"


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, name: str = "<bytes>") -> LoadedImage:
    """Decode encoded image bytes; see :func:`open_image` for the errors raised."""
    register_heif()
    try:
        with warnings.catch_warnings():
            # Pillow's UserWarnings name its own files, and its DecompressionBombWarning (89.5 MP)
            # is below the limit: the one check is check_pixels, below; errors are raised there.
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data))
            fmt = im.format or "PNG"
            width, height = im.size
            check_pixels(width, height, max_pixels, name)
            if fmt not in SUPPORTED_FORMATS:
                raise UnsupportedImageError(f"{fmt} images are not supported", path=name)
            im.load()
            frames = getattr(im, "n_frames", 1) if fmt in MULTI_FRAME_FORMATS else 1
            icc = im.info.get("icc_profile")
            ImageOps.exif_transpose(im, in_place=True)  # no second copy of a 100 MP photo
            upright: Image.Image = im
    except Image.DecompressionBombError as exc:  # over twice Pillow's 89.5 MP: never within the limit
        pixels = next((int(word.strip("(")) for word in str(exc).split() if word.strip("(").isdigit()), None)
        raise ImageTooLargeError(_too_many(pixels, max_pixels), path=name) from None
    except UnidentifiedImageError:
        raise UnsupportedImageError("not an image, or an unsupported format", path=name) from None
    except ValueError as exc:
        if "MAX_TEXT_CHUNK" in str(exc) and data.startswith(b"\x89PNG"):
            return _decode_without_text(data, max_pixels=max_pixels, name=name)
        raise CorruptImageError(f"cannot decode image ({exc})", path=name) from None
    except (OSError, SyntaxError, EOFError) as exc:
        raise CorruptImageError(_decode_failure(exc), path=name) from None
    if width < 1 or height < 1:
        raise CorruptImageError("image has no pixels", path=name)
    try:
        rgb, alpha = _to_rgb(upright)
    except (OSError, ValueError) as exc:
        raise CorruptImageError(f"cannot convert {upright.mode} image to RGB ({exc})", path=name) from None
    return LoadedImage(rgb=rgb, alpha=alpha, format=fmt, icc_profile=icc, info={"mode": upright.mode}, frames=frames)


#: Pillow's words for a file cut short (its JPEG decoder counts the bytes it could not use).
_TRUNCATED = ("image file is truncated", "truncated file read")
#: What a person is told instead.
CUT_SHORT = (
    "cannot decode image: the file ends before the picture does "
    "(damaged, or cut short by an unfinished copy or download)"
)


def _decode_failure(exc: BaseException) -> str:
    """Why decoding failed, in plain words: a file cut short says so (:data:`CUT_SHORT`), anything
    else keeps the decoder's words.

    >>> _decode_failure(OSError("image file is truncated (1 bytes not processed)")) == CUT_SHORT
    True
    """
    detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())  # libheif ends in a newline
    if any(words in detail.lower() for words in _TRUNCATED):
        return CUT_SHORT
    return f"cannot decode image ({detail})"


def _decode_without_text(data: bytes, *, max_pixels: int, name: str) -> LoadedImage:
    """A PNG whose text chunk is over Pillow's safety limit: decoded after the stripper removed its
    text chunks (metadata the output would not keep anyway; the pixels are the same bytes)."""
    from photoguard.metadata import strip_bytes

    stripped, _ = strip_bytes(data, name=name)
    if stripped == data:  # nothing removed: the limit was hit by something else
        raise CorruptImageError("cannot decode image (a chunk over the safety limit)", path=name)
    return decode_image(stripped, max_pixels=max_pixels, name=name)


def from_pil(im: Image.Image, *, max_pixels: int = DEFAULT_MAX_PIXELS, name: str = "<PIL image>") -> LoadedImage:
    """A :class:`LoadedImage` from a Pillow image (not modified): EXIF orientation applied, any
    mode converted to 8-bit RGB; the format is the image's own (PNG when it was made in memory)."""
    width, height = im.size
    check_pixels(width, height, max_pixels, name)
    if width < 1 or height < 1:
        raise CorruptImageError("image has no pixels", path=name)
    fmt = im.format if im.format in SUPPORTED_FORMATS else "PNG"
    icc = im.info.get("icc_profile")
    try:
        rgb, alpha = _to_rgb(ImageOps.exif_transpose(im))
    except (OSError, ValueError) as exc:
        raise CorruptImageError(f"cannot convert {im.mode} image to RGB ({exc})", path=name) from None
    return LoadedImage(rgb=rgb, alpha=alpha, format=fmt, icc_profile=icc, info={"mode": im.mode})


def encode_image(
    rgb: np.ndarray,
    fmt: str,
    *,
    alpha: np.ndarray | None = None,
    quality: int = JPEG_QUALITY,
    subsampling: str = "4:4:4",
    icc_profile: bytes | None = None,
) -> bytes:
    """Encode ``H x W x 3`` uint8 RGB as ``fmt`` (JPEG, PNG, WEBP, TIFF) without metadata.

    How each format is written is its :data:`photoguard.formats.FORMATS` entry: JPEG uses
    ``quality`` and ``subsampling`` (default 4:4:4 so chroma survives); PNG, WebP and TIFF are
    lossless and keep ``alpha``. Only the ICC profile is carried over, when given.
    """
    fmt = fmt.upper()
    spec = FORMATS.get("JPEG" if fmt in ("JPG", "MPO") else fmt)
    if spec is None or spec.save is None:
        raise UnsupportedImageError(f"cannot write {fmt} images")
    im = Image.fromarray(rgb, "RGB")
    if alpha is not None and spec.alpha:
        im.putalpha(Image.fromarray(alpha, "L"))
    options: dict[str, object] = dict(spec.save)
    if spec.lossy:
        options.update(quality=quality, subsampling=subsampling)
    if icc_profile:
        options["icc_profile"] = icc_profile
    buf = io.BytesIO()
    im.save(buf, spec.name, **options)
    return buf.getvalue()


def to_tensor(rgb: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """``H x W x 3`` uint8 -> ``1 x 3 x H x W`` float32 in [0, 1]."""
    import torch

    pixels = rgb if rgb.flags.writeable and rgb.flags.c_contiguous else np.array(rgb)  # decoded photos are read-only
    return torch.from_numpy(pixels).to(device).permute(2, 0, 1)[None].float().div_(255.0)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """``1 x 3 x H x W`` (or ``3 x H x W``) float in [0, 1] -> ``H x W x 3`` uint8, rounded."""
    import torch

    if x.dim() == 4:
        x = x[0]
    return x.detach().clamp(0, 1).mul(255.0).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
