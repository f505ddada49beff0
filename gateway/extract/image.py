"""Images: EXIF and embedded text metadata into an `image` artifact; text by OCR when enabled (Pillow).

Pillow's one home. Opening an image reads its header only, never its
pixels, so a decompression bomb costs nothing here; pixels are decoded
only for OCR, and only below `MAX_OCR_PIXELS`. The artifact's metadata:
make, model, software, datetime (when taken), gps (whether a position is
recorded; the position itself is not kept), width, height, format, and
description / artist / comment when present. Descriptive text an image
carries (EXIF description and comments, PNG text chunks) becomes a
"metadata" segment: a photograph can be captioned with a name. An image
Pillow cannot open (HEIC without a plug-in) is still an image artifact.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, UnidentifiedImageError

from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context

#: images larger than this are not decoded for OCR (about 8000 x 5000)
MAX_OCR_PIXELS = 40_000_000
#: OCR input is scaled down to at most this many pixels on the longer side
_OCR_SIDE = 4000

_BASE_TAGS = {271: "make", 272: "model", 305: "software", 306: "modified", 270: "description", 315: "artist"}
_EXIF_TAGS = {36867: "datetime", 36868: "digitized", 37510: "comment", 42033: "serial", 42036: "lens"}
_XP_TAGS = {0x9C9B: "title", 0x9C9C: "comment", 0x9C9D: "author", 0x9C9E: "keywords", 0x9C9F: "subject"}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_TEXT_KEYS = ("description", "comment", "title", "subject", "keywords", "artist", "author")


def read(data: bytes, ctx: Context) -> None:
    metadata = image_metadata(data)
    lines = [f"{k}: {metadata[k]}" for k in _TEXT_KEYS if metadata.get(k)]
    lines.extend(f"{k}: {v}" for k, v in metadata.pop("_text", {}).items())
    ctx.text("\n".join(lines), where=f"{ctx.where}/metadata", kind="metadata")
    ocr_text = ""
    if ctx.ocr:
        from gateway.extract import ocr

        ocr_text = ocr.png_text(ocr_input(data), ctx)
        ctx.text(ocr_text)
    ctx.artifact("image", metadata=metadata, text=ocr_text)


def image_metadata(data: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        with Image.open(io.BytesIO(data)) as im:
            out["format"] = (im.format or "").lower()
            out["width"], out["height"] = im.size
            exif = im.getexif()
            for tag, key in _BASE_TAGS.items():
                _put(out, key, exif.get(tag))
            sub = exif.get_ifd(_EXIF_IFD)
            for tag, key in _EXIF_TAGS.items():
                _put(out, key, sub.get(tag))
            for tag, key in _XP_TAGS.items():
                raw = exif.get(tag)
                if isinstance(raw, bytes | tuple):
                    _put(out, key, bytes(raw).decode("utf-16-le", "replace"))
            gps = exif.get_ifd(_GPS_IFD)
            out["gps"] = bool(gps.get(2) or gps.get(4))
            if "datetime" not in out and "modified" in out:
                out["datetime"] = out["modified"]
            text = {str(k): str(v)[:500] for k, v in (getattr(im, "text", None) or {}).items() if v}
            if text:
                out["_text"] = text
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        out["readable"] = False
    except LimitExceeded:  # the watchdog fired inside Pillow: a limit, not a damaged image
        raise
    except Exception:  # Pillow's EXIF parsing raises assorted errors on damaged tags
        out["readable"] = False
    return out


def ocr_input(data: bytes) -> bytes | None:
    """The image as a greyscale PNG for tesseract, or None when it is too large or unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.size[0] * im.size[1] > MAX_OCR_PIXELS:
                return None
            im.draft("L", (_OCR_SIDE, _OCR_SIDE))  # JPEG: decode at reduced size directly
            grey = im.convert("L")
            grey.thumbnail((_OCR_SIDE, _OCR_SIDE))
            buf = io.BytesIO()
            grey.save(buf, format="PNG")
            return buf.getvalue()
    except LimitExceeded:
        raise
    except Exception:  # not decodable: nothing to read
        return None


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is None or key in out:
        return
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00"):  # EXIF UserComment prefix
            value = value[8:].decode("utf-16-le" if value[:7] == b"UNICODE" else "ascii", "replace")
        else:
            value = value.decode("utf-8", "replace")
    text = str(value).strip("\x00 ").strip()
    if text:
        out[key] = text[:500]
