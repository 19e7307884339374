"""HEIC/HEIF (iPhone photos), through pillow-heif (libheif).

HEIF keeps metadata as items inside the ISO-BMFF box tree (Exif, XMP ``mime`` items, thumbnails,
depth and auxiliary images, sometimes more images). Rewriting that tree in place is not done
here; instead the primary image is decoded (with its rotation/mirror applied, so it displays
upright) and re-encoded as **lossless** HEIC (HEVC lossless, 4:4:4, identity RGB matrix): the
output pixels are identical to the decoded input's, only the primary image is written, and
nothing but the ICC profile (unless dropped) and colour signalling is carried over. The file
is usually larger than the original. The report says so.
"""

from __future__ import annotations

import io

from photoguard.errors import CorruptMetadataError
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.blocks import icc_description, iptc_items, xmp_items
from photoguard.metadata.exif import exif_items
from photoguard.metadata.findings import Finding, FindingKind, human_size
from photoguard.metadata.types import MetadataItem, MetadataReport, StripReport

HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"}


def _open(data: bytes):
    try:
        import pillow_heif
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise CorruptMetadataError(f"HEIF support needs pillow-heif ({exc})") from None
    try:
        return pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False)
    except (ValueError, RuntimeError, OSError, EOFError, SyntaxError) as exc:
        raise CorruptMetadataError(f"corrupt or truncated HEIF: {exc}") from None


class HeifHandler(MetadataHandler):
    """HEIC/HEIF still images (HEVC-coded). AVIF is not handled."""

    format, mime = "HEIF", "image/heic"

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head[4:8] == b"ftyp" and (
            head[8:12] in HEIF_BRANDS or any(head[i : i + 4] in HEIF_BRANDS for i in range(16, min(len(head), 64), 4))
        )

    def inspect(self, data: bytes) -> MetadataReport:
        heif = _open(data)
        items: list[MetadataItem] = []
        if len(heif) > 1:
            items.append(
                MetadataItem("HEIF", "ImageCount", str(len(heif)), Finding(FindingKind.IMAGE_COUNT, str(len(heif))))
            )
        for index, img in enumerate(heif):
            info, prefix = img.info, "" if index == heif.primary_index else f"image {index} "
            if info.get("exif"):
                exif = info["exif"]
                items += exif_items(exif[6:] if exif.startswith(b"Exif\x00\x00") else exif)
            if info.get("xmp"):
                items += xmp_items(info["xmp"])
            for block in info.get("metadata") or []:
                kind = str(block.get("type", "")).lower()
                if kind == "iptc":
                    items += iptc_items(block.get("data", b""))
                else:
                    size = human_size(len(block.get("data", b"")))
                    items.append(
                        MetadataItem(
                            "HEIF",
                            f"{prefix}metadata:{kind or block.get('content_type')}",
                            f"({size})",
                            Finding(FindingKind.METADATA_ITEM, size, str(kind or block.get("content_type"))),
                        )
                    )
            if info.get("thumbnails"):  # each thumbnail's longer side in pixels
                largest = max(int(box) for box in info["thumbnails"])
                items.append(
                    MetadataItem(
                        "HEIF",
                        f"{prefix}Thumbnails",
                        str(len(info["thumbnails"])),
                        Finding(FindingKind.THUMBNAIL, f"{largest} px"),
                    )
                )
            if info.get("depth_images"):
                items.append(
                    MetadataItem(
                        "HEIF", f"{prefix}DepthImages", str(len(info["depth_images"])), Finding(FindingKind.DEPTH_MAP)
                    )
                )
            for aux in info.get("aux") or {}:
                items.append(
                    MetadataItem("HEIF", f"{prefix}AuxImage", str(aux), Finding(FindingKind.AUX_IMAGE, str(aux)))
                )
            if info.get("icc_profile"):
                items.append(MetadataItem("ICC_Profile", "ProfileDescription", icc_description(info["icc_profile"])))
        return self._report(items)

    def strip(self, data: bytes, *, keep_icc: bool = True) -> tuple[bytes, StripReport]:
        import pillow_heif

        heif = _open(data)
        report = StripReport(self.format, "HEIF", bytes_in=len(data))
        primary = heif[heif.primary_index]
        try:
            pixels = bytes(primary.data)
        except (ValueError, RuntimeError, OSError) as exc:
            raise CorruptMetadataError(f"corrupt or truncated HEIF: cannot decode the image ({exc})") from None
        info = primary.info
        for key, what in (("exif", "EXIF"), ("xmp", "XMP")):
            if info.get(key):
                report.remove(f"{what} ({human_size(len(info[key]))})", "GPS, device, serials, dates, names")
        for block in info.get("metadata") or []:
            report.remove(
                f"metadata item {block.get('type') or block.get('content_type')}", "not needed to display the image"
            )
        for key, what in (
            ("thumbnails", "thumbnail(s)"),
            ("depth_images", "depth image(s)"),
            ("aux", "auxiliary image(s)"),
        ):
            if info.get(key):
                report.remove(f"{len(info[key])} {what}", "can reveal the uncropped original or the scene's depth")
        if len(heif) > 1:
            report.remove(f"{len(heif) - 1} non-primary image(s)", "only the displayed image is written")
        out_file = pillow_heif.from_bytes(primary.mode, primary.size, pixels, stride=primary.stride)
        params: dict = {"quality": -1, "chroma": 444, "matrix_coefficients": 0}
        nclx = info.get("nclx_profile") or {}
        for key in ("color_primaries", "transfer_characteristics"):
            if key in nclx:
                params[key] = int(nclx[key])
        if keep_icc and info.get("icc_profile"):
            out_file[0].info["icc_profile"] = info["icc_profile"]
            out_file.info["icc_profile"] = info["icc_profile"]
            report.keep(
                f"ICC profile ({icc_description(info['icc_profile'])})",
                "colour, not identity (use keep_icc=False to drop)",
            )
        elif info.get("icc_profile"):
            report.remove("ICC profile", "dropped on request (keep_icc=False)")
        buf = io.BytesIO()
        try:
            out_file.save(buf, exif=None, xmp=None, **params)
        except (ValueError, RuntimeError) as exc:
            raise CorruptMetadataError(f"cannot re-encode HEIF: {exc}") from None
        report.pixels = (
            "re-encoded as lossless HEIC (HEVC lossless, 4:4:4, identity RGB matrix): pixels identical "
            "to the decoded input; the file is usually larger"
        )
        report.orientation = "rotation/mirror applied to the pixels before re-encoding (no orientation tag needed)"
        report.keep("primary image", "the photo itself, losslessly re-encoded")
        out = buf.getvalue()
        report.bytes_out = len(out)
        return out, report
