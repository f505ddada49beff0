"""What format a file is: by its content first, then by its name and declared type.

Content wins because names and MIME types are the sender's to choose: a
DOCX renamed .pdf is still read as a DOCX. Containers are looked into just
far enough to tell them apart (a ZIP's member names, an OLE file's stream
names). The answer is a short format name that `dispatch` maps to a reader.
"""

from __future__ import annotations

import io
import zipfile

#: format names
PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
OOXML = "ooxml"  # an Office Open XML package of another kind (e.g. Visio, or an unknown main part)
ODF = "odf"  # OpenDocument text, spreadsheet or presentation
ZIP = "zip"
OLE = "ole"  # an OLE compound file: legacy Office, Outlook .msg, encrypted OOXML
RTF = "rtf"
HTML = "html"
EML = "eml"
TEXT = "text"
IMAGE = "image"
DICOM = "dicom"
TAR = "tar"
GZIP = "gzip"
BZIP2 = "bzip2"
XZ = "xz"
SEVEN_ZIP = "7z"
RAR = "rar"
TNEF = "tnef"  # Outlook's winmail.dat
PGP = "pgp"  # OpenPGP armoured message
SMIME = "smime"  # S/MIME (PKCS #7 / CMS) content
SIGNATURE = "signature"  # a detached signature: nothing to read
UNKNOWN = "unknown"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
    (b"{\\rtf", RTF),
    (b"\xff\xd8\xff", IMAGE),  # JPEG
    (b"\x89PNG\r\n\x1a\n", IMAGE),
    (b"GIF87a", IMAGE),
    (b"GIF89a", IMAGE),
    (b"II*\x00", IMAGE),  # TIFF
    (b"MM\x00*", IMAGE),
    (b"Rar!\x1a\x07", RAR),
    (b"7z\xbc\xaf\x27\x1c", SEVEN_ZIP),
    (b"\x1f\x8b", GZIP),
    (b"\xfd7zXZ\x00", XZ),
    (b"-----BEGIN PGP MESSAGE-----", PGP),
    (b"\x78\x9f\x3e\x22", TNEF),
)

_EXTENSIONS: dict[str, str] = {
    "pdf": PDF,
    "docx": DOCX,
    "docm": DOCX,
    "dotx": DOCX,
    "dotm": DOCX,
    "xlsx": XLSX,
    "xlsm": XLSX,
    "xltx": XLSX,
    "xltm": XLSX,
    "pptx": PPTX,
    "pptm": PPTX,
    "potx": PPTX,
    "ppsx": PPTX,
    "odt": ODF,
    "ods": ODF,
    "odp": ODF,
    "ott": ODF,
    "ots": ODF,
    "zip": ZIP,
    "doc": OLE,
    "xls": OLE,
    "ppt": OLE,
    "msg": OLE,
    "rtf": RTF,
    "htm": HTML,
    "html": HTML,
    "xhtml": HTML,
    "eml": EML,
    "txt": TEXT,
    "csv": TEXT,
    "tsv": TEXT,
    "text": TEXT,
    "md": TEXT,
    "log": TEXT,
    "json": TEXT,
    "xml": TEXT,
    "ics": TEXT,
    "vcf": TEXT,
    "jpg": IMAGE,
    "jpeg": IMAGE,
    "png": IMAGE,
    "gif": IMAGE,
    "tif": IMAGE,
    "tiff": IMAGE,
    "bmp": IMAGE,
    "webp": IMAGE,
    "heic": IMAGE,
    "heif": IMAGE,
    "dcm": DICOM,
    "dicom": DICOM,
    "tar": TAR,
    "tgz": GZIP,
    "gz": GZIP,
    "bz2": BZIP2,
    "xz": XZ,
    "7z": SEVEN_ZIP,
    "rar": RAR,
    "pgp": PGP,
    "gpg": PGP,
    "p7m": SMIME,
    "p7s": SIGNATURE,
    "sig": SIGNATURE,
}

_TYPES: dict[str, str] = {
    "application/pdf": PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": PPTX,
    "application/vnd.oasis.opendocument.text": ODF,
    "application/vnd.oasis.opendocument.spreadsheet": ODF,
    "application/vnd.oasis.opendocument.presentation": ODF,
    "application/zip": ZIP,
    "application/x-zip-compressed": ZIP,
    "application/msword": OLE,
    "application/vnd.ms-excel": OLE,
    "application/vnd.ms-powerpoint": OLE,
    "application/vnd.ms-outlook": OLE,
    "application/rtf": RTF,
    "text/rtf": RTF,
    "text/html": HTML,
    "message/rfc822": EML,
    "message/global": EML,
    "application/dicom": DICOM,
    "application/x-tar": TAR,
    "application/gzip": GZIP,
    "application/x-gzip": GZIP,
    "application/x-7z-compressed": SEVEN_ZIP,
    "application/vnd.rar": RAR,
    "application/x-rar-compressed": RAR,
    "application/ms-tnef": TNEF,
    "application/vnd.ms-tnef": TNEF,
    "application/pgp-encrypted": PGP,
    "application/pkcs7-mime": SMIME,
    "application/x-pkcs7-mime": SMIME,
    "application/pkcs7-signature": SIGNATURE,
    "application/x-pkcs7-signature": SIGNATURE,
    "application/pgp-signature": SIGNATURE,
}

_ODF_MIMETYPES = (b"application/vnd.oasis.opendocument.",)


def sniff(data: bytes, filename: str = "", content_type: str = "") -> str:
    """The format of `data`; content first, then extension, then the declared type."""
    by_content = _by_content(data)
    if by_content != UNKNOWN:
        return by_content
    claimed = by_name(filename) or _TYPES.get(content_type.lower(), "")
    if not claimed and content_type.lower().startswith("image/"):
        claimed = IMAGE
    if claimed in (TEXT, HTML, EML) or (not claimed and content_type.lower().startswith("text/")):
        return claimed or TEXT
    if claimed == DICOM:
        return DICOM  # DICOM without the 128-byte preamble has no magic; pydicom can still try
    if looks_like_text(data):
        # a file that claims a binary format but is plain text is read as the text it is
        return HTML if _looks_like_html(data) else TEXT
    return claimed or UNKNOWN


def by_name(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _EXTENSIONS.get(ext, "")


def _by_content(data: bytes) -> str:
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if len(data) > 132 and data[128:132] == b"DICM":
        return DICOM
    if len(data) > 262 and data[257:262] == b"ustar":
        return TAR
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":  # BMP: reserved bytes are zero
        return IMAGE
    if head[:3] == b"BZh" and head[3:4].isdigit():
        return BZIP2
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return IMAGE
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"-----BEGIN PGP MESSAGE-----"):
        return PGP
    if stripped.startswith(b"{\\rtf"):
        return RTF
    if _looks_like_html(head):
        return HTML
    return UNKNOWN


def _zip_kind(data: bytes) -> str:
    """Tell OOXML and OpenDocument packages from plain ZIP archives by their member names."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist()[:10_000])
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                small = info.file_size < 200 and not info.flag_bits & 0x1
                if small and zf.read("mimetype").strip().startswith(_ODF_MIMETYPES):
                    return ODF
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names or any(n.startswith("word/") for n in names):
                    return DOCX
                if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
                    return XLSX
                if "ppt/presentation.xml" in names or any(n.startswith("ppt/") for n in names):
                    return PPTX
                return OOXML
    except Exception:  # a damaged archive is still an archive: the ZIP reader reports why
        return ZIP
    return ZIP


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        start.startswith(b"<?xml") and b"<html" in start
    )


def looks_like_text(data: bytes) -> bool:
    """No NUL bytes and few control characters in the first 8 KB (or UTF-16 with a BOM)."""
    sample = data[:8192]
    if not sample:
        return True
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls <= len(sample) // 100
