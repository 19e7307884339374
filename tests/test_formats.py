"""One table of formats (:data:`photoguard.formats.FORMATS`): what the walker, the decoder, the
encoder, the metadata handlers and the messages know is derived from it, so they cannot disagree."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from photoguard.formats import FORMATS, MULTI_FRAME_FORMATS, SUFFIX_FORMAT, output_format, own_suffix, pixel_format
from photoguard.imageio import SUPPORTED_FORMATS, decode_image, encode_image
from photoguard.metadata.registry import HANDLERS, handler_for


def test_every_handler_is_a_format_of_the_table_and_its_extensions_are_the_tables() -> None:
    for name, handler in HANDLERS.items():
        assert name in FORMATS
        assert handler.extensions == FORMATS[name].suffixes
    assert {SUFFIX_FORMAT[s] for h in HANDLERS.values() for s in h.extensions} == set(HANDLERS)


def test_the_decoder_reads_every_format_of_the_table_and_counts_frames_where_they_are_pictures() -> None:
    assert set(SUPPORTED_FORMATS) == set(FORMATS)
    assert {"PNG", "WEBP", "TIFF", "GIF"} == MULTI_FRAME_FORMATS


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.save is not None])
def test_every_written_format_round_trips(name: str) -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    data = encode_image(rgb, name)
    loaded = decode_image(data)
    assert loaded.format == name and loaded.rgb.shape == rgb.shape
    if not FORMATS[name].lossy:
        assert np.array_equal(loaded.rgb, rgb)
    assert output_format(name) == name and own_suffix(name) == FORMATS[name].suffixes[0]


def test_every_format_is_written_as_one_that_is_written() -> None:
    for f in FORMATS.values():
        assert FORMATS[f.written_as].save is not None, f.name


def test_pixel_only_formats_are_told_by_their_magic_and_named_in_the_message() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "GIF")
    assert pixel_format(buf.getvalue()[:16]) == "GIF"
    from photoguard.errors import UnsupportedFormatError

    with pytest.raises(UnsupportedFormatError, match=r"not a JPEG, PNG, WebP, TIFF or HEIC/HEIF image"):
        handler_for(buf.getvalue())
