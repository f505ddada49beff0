#!/usr/bin/env python3
"""Build the held-out evaluation corpus in tests/corpus/heldout/ from heldout_cases.yaml.

The held-out corpus measures how the detectors generalise beyond the shared
development corpus: different invented university (Aldermoor), hospitals,
people and wording. Every message, attachment and registered university
document is generated here from the case file, deterministically: fixed dates,
MIME boundaries, ZIP timestamps, DICOM UIDs and seeded "random" salts for the
encrypted files, so re-running the script reproduces the committed files byte
for byte (given the same library versions).

Usage: .venv/bin/python tests/corpus/make_heldout.py [--cases FILE] [--out DIR] [--check]
  --cases  the case file (default tests/corpus/heldout_cases.yaml)
  --out    the corpus directory (default tests/corpus/heldout)
  --check  rebuild into a temporary directory and report files that differ from --out.
A case file may set `msgid_domain` (default mail.uni-example.ac.uk) for its Message-IDs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email.policy
import email.utils
import hashlib
import io
import json
import random
import re
import secrets
import shutil
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE / "heldout_cases.yaml"
OUT = HERE / "heldout"
FIXED_ZIP_TIME = (2026, 1, 5, 9, 0, 0)
FIXED_DT = dt.datetime(2026, 1, 5, 9, 0, 0, tzinfo=dt.UTC)


# --------------------------------------------------------------------------- determinism


@contextlib.contextmanager
def seeded_randomness(seed: str) -> Iterator[None]:
    """Make the salts of encrypted PDFs and AES ZIPs repeatable (test data, not security)."""
    import pyzipper.zipfile_aes as zaes

    rng = random.Random(seed)

    def token_bytes(n: int | None = None) -> bytes:
        return rng.randbytes(32 if n is None else n)

    class _Rand:
        def read(self, n: int) -> bytes:
            return rng.randbytes(n)

    class _RandomModule:
        @staticmethod
        def new() -> _Rand:
            return _Rand()

    saved_tb, saved_random = secrets.token_bytes, zaes.Random
    secrets.token_bytes = token_bytes  # type: ignore[assignment]
    zaes.Random = _RandomModule  # type: ignore[assignment]
    try:
        yield
    finally:
        secrets.token_bytes = saved_tb  # type: ignore[assignment]
        zaes.Random = saved_random


def normalise_ooxml(data: bytes) -> bytes:
    """Rewrite an Office ZIP with fixed entry times and fixed core-property dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = blob.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    r"\g<1>2026-01-05T09:00:00Z\g<3>",
                    text,
                )
                blob = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, blob)
    return out.getvalue()


# --------------------------------------------------------------------------- documents


def paragraphs_of(spec: dict[str, Any]) -> list[str]:
    if "paragraphs" in spec:
        return [str(p) for p in spec["paragraphs"]]
    text = str(spec.get("text", ""))
    return [p.strip().replace("\n", " ") for p in re.split(r"\n\s*\n", text) if p.strip()]


def make_docx(paras: list[str], props: dict[str, str], images: list[bytes] | None = None) -> bytes:
    import docx
    from docx.shared import Cm

    d = docx.Document()
    cp = d.core_properties
    cp.title = props.get("title", "")
    cp.author = props.get("author", "")
    cp.subject = props.get("subject", "")
    cp.last_modified_by = props.get("author", "")
    cp.created = FIXED_DT.replace(tzinfo=None)
    cp.modified = FIXED_DT.replace(tzinfo=None)
    for i, p in enumerate(paras):
        if i == 0 and props.get("heading_first", True):
            d.add_heading(p, level=1)
        else:
            d.add_paragraph(p)
    for img in images or []:
        d.add_picture(io.BytesIO(img), width=Cm(8))
    buf = io.BytesIO()
    d.save(buf)
    return normalise_ooxml(buf.getvalue())


def make_xlsx(sheets: dict[str, list[list[Any]]], props: dict[str, str]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.properties.creator = props.get("author", "")
    wb.properties.title = props.get("title", "")
    wb.properties.created = FIXED_DT.replace(tzinfo=None)
    wb.properties.modified = FIXED_DT.replace(tzinfo=None)
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = name
        first = False
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_ooxml(buf.getvalue())


def make_pptx(slides: list[list[str]], props: dict[str, str]) -> bytes:
    import pptx

    prs = pptx.Presentation()
    prs.core_properties.title = props.get("title", "")
    prs.core_properties.author = props.get("author", "")
    prs.core_properties.created = FIXED_DT.replace(tzinfo=None)
    prs.core_properties.modified = FIXED_DT.replace(tzinfo=None)
    layout = prs.slide_layouts[1]
    for title, body in slides:
        s = prs.slides.add_slide(layout)
        s.shapes.title.text = title
        s.placeholders[1].text = body
    buf = io.BytesIO()
    prs.save(buf)
    return normalise_ooxml(buf.getvalue())


def _pdf_str(s: str) -> bytes:
    b = s.encode("cp1252", errors="replace")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(paras: list[str], props: dict[str, str]) -> bytes:
    """A plain text PDF (Helvetica, A4) written by hand: no PDF library needed."""
    lines: list[str] = []
    for p in paras:
        lines.extend(textwrap.wrap(p, 92) or [""])
        lines.append("")
    per_page = 60
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objs: list[bytes] = []
    # 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs
    n_pages = len(pages)
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    info = b"<< /Producer (Aldermoor corpus generator) /CreationDate (D:20260105090000Z)"
    if props.get("title"):
        info += b" /Title " + _pdf_str(props["title"])
    if props.get("author"):
        info += b" /Author " + _pdf_str(props["author"])
    objs.append(info + b" >>")
    for i, page in enumerate(pages):
        content = [b"BT /F1 10 Tf 13 TL 56 790 Td"]
        for ln in page:
            content.append(_pdf_str(ln) + b" Tj T*")
        content.append(b"ET")
        stream = b"\n".join(content)
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode()
        )
        objs.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def encrypt_pdf(data: bytes, password: str, seed: str) -> bytes:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter(clone_from=reader)
    with seeded_randomness(seed):
        writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
        writer._ID = None  # type: ignore[attr-defined]
        buf = io.BytesIO()
        writer.write(buf)
    return buf.getvalue()


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members:
            zi = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, blob)
    return out.getvalue()


def make_aes_zip(members: list[tuple[str, bytes]], password: str, seed: str) -> bytes:
    import pyzipper

    out = io.BytesIO()
    with (
        seeded_randomness(seed),
        pyzipper.AESZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as z,
    ):
        z.setpassword(password.encode())
        for name, blob in members:
            zi = z.zipinfo_cls(filename=name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = pyzipper.ZIP_DEFLATED
            z.writestr(zi, blob)
    return out.getvalue()


# --------------------------------------------------------------------------- images


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 2)
    return (float(d), float(m), s)


def make_jpeg(spec: dict[str, Any], seed: str) -> bytes:
    """A small synthetic photo (scene drawn with shapes) carrying phone-style EXIF."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    w, h = spec.get("size", [320, 240])
    scene = spec.get("scene", "landscape")
    palettes = {
        "wound": ((214, 170, 140), (150, 40, 40)),
        "rash": ((232, 190, 165), (200, 70, 80)),
        "burn": ((225, 180, 150), (180, 60, 50)),
        "xray_screen": ((20, 20, 25), (200, 200, 205)),
        "landscape": ((120, 170, 230), (60, 140, 60)),
        "beach": ((110, 180, 240), (230, 210, 160)),
        "notes": ((245, 245, 240), (30, 30, 120)),
        "model": ((200, 200, 200), (190, 50, 60)),
        "mould": ((225, 225, 215), (40, 50, 40)),
        "food": ((240, 235, 220), (200, 120, 40)),
    }
    bg, fg = palettes.get(scene, palettes["landscape"])
    img = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(img)
    if scene in ("landscape", "beach"):
        draw.rectangle([0, h // 2, w, h], fill=fg)
        for _ in range(6):
            x = rng.randint(0, w)
            draw.ellipse([x, 20, x + 60, 50], fill=(250, 250, 250))
    elif scene == "notes":
        for y in range(20, h, 16):
            x = 10
            while x < w - 30:
                ln = rng.randint(8, 40)
                draw.line([x, y, x + ln, y], fill=fg, width=2)
                x += ln + 6
    elif scene == "xray_screen":
        draw.rectangle([40, 20, w - 40, h - 20], fill=(60, 60, 65))
        for i in range(8):
            draw.arc([70, 40 + i * 18, w - 70, 90 + i * 18], 200, 340, fill=fg, width=3)
    else:
        for _ in range(rng.randint(3, 7)):
            x, y = rng.randint(40, w - 80), rng.randint(40, h - 80)
            r = rng.randint(10, 40)
            draw.ellipse([x, y, x + r * 2, y + r], fill=fg)
    exif = Image.Exif()
    ex = spec.get("exif", {})
    if ex:
        exif[0x010F] = ex.get("make", "Apple")
        exif[0x0110] = ex.get("model", "iPhone 14")
        exif[0x0131] = ex.get("software", "17.2.1")
        exif[0x0132] = ex.get("datetime", "2026:02:20 14:03:11")
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = ex.get("datetime", "2026:02:20 14:03:11")
        if "gps" in ex:
            lat, lon = ex["gps"]
            gps = exif.get_ifd(0x8825)
            gps[1] = "N" if lat >= 0 else "S"
            gps[2] = _dms(lat)
            gps[3] = "E" if lon >= 0 else "W"
            gps[4] = _dms(lon)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif.tobytes() if ex else b"")
    return buf.getvalue()


def make_dicom(spec: dict[str, Any], seed: str) -> bytes:
    import numpy as np
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

    modality = spec.get("modality", "CT")
    sop_class = {
        "CT": "1.2.840.10008.5.1.4.1.1.2",
        "MR": "1.2.840.10008.5.1.4.1.1.4",
        "CR": "1.2.840.10008.5.1.4.1.1.1",
        "US": "1.2.840.10008.5.1.4.1.1.6.1",
    }[modality]
    sop_uid = generate_uid(entropy_srcs=[seed, "sop"])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = generate_uid(entropy_srcs=["aldermoor-corpus"])
    ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = UID(sop_class)
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = generate_uid(entropy_srcs=[seed, "study"])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=[seed, "series"])
    ds.Modality = modality
    ds.PatientName = spec.get("patient_name", "")
    ds.PatientID = spec.get("patient_id", "")
    ds.PatientBirthDate = spec.get("dob", "")
    ds.PatientSex = spec.get("sex", "")
    ds.InstitutionName = spec.get("institution", "")
    ds.StudyDate = spec.get("study_date", "20260210")
    ds.StudyDescription = spec.get("study", "")
    ds.ReferringPhysicianName = spec.get("referrer", "")
    rng = np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16))
    size = 64
    yy, xx = np.mgrid[0:size, 0:size]
    body = ((xx - 32) ** 2 / 26**2 + (yy - 32) ** 2 / 20**2) < 1
    arr = (body * 900 + rng.integers(0, 60, (size, size))).astype(np.uint16)
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.PixelData = arr.tobytes()
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


# --------------------------------------------------------------------------- attachments

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "dcm": "application/dicom",
    "txt": "text/plain",
}


class Builder:
    def __init__(self, data: dict[str, Any]) -> None:
        self.unidocs = {u["id"]: u for u in data.get("unidocs", [])}

    def unidoc_bytes(
        self, u: dict[str, Any], fmt: str | None = None, select: list[int] | None = None
    ) -> bytes:
        paras = paragraphs_of(u)
        if select is not None:
            paras = [paras[i] for i in select]
        props = dict(u.get("props", {}))
        fmt = fmt or u["file"].rsplit(".", 1)[1]
        if fmt == "docx":
            return make_docx(paras, props)
        if fmt == "pdf":
            return make_pdf(paras, props)
        raise ValueError(fmt)

    def build(self, spec: dict[str, Any], seed: str) -> tuple[str, bytes, str]:
        """Return (filename, bytes, mime type) for one attachment spec."""
        kind = spec["kind"]
        name = spec["name"]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        ctype = spec.get("content_type") or MIME.get(ext, "application/octet-stream")
        props = spec.get("props", {})
        seed = f"{seed}/{name}"
        if kind == "docx":
            images = [make_jpeg(img, f"{seed}/img{i}") for i, img in enumerate(spec.get("images", []))]
            return name, make_docx(paragraphs_of(spec), props, images), ctype
        if kind == "pdf":
            return name, make_pdf(paragraphs_of(spec), props), ctype
        if kind == "xlsx":
            return name, make_xlsx(spec["sheets"], props), ctype
        if kind == "pptx":
            return name, make_pptx(spec["slides"], props), ctype
        if kind == "jpeg":
            return name, make_jpeg(spec, seed), ctype
        if kind == "dicom":
            return name, make_dicom(spec, seed), ctype
        if kind == "text":
            return name, str(spec["text"]).encode("utf-8"), ctype
        if kind == "unidoc":
            u = self.unidocs[spec["doc"]]
            return name, self.unidoc_bytes(u, spec.get("format"), spec.get("select")), ctype
        if kind in ("zip", "aes_zip"):
            members = [self.build(m, seed)[:2] for m in spec["members"]]
            if kind == "zip":
                return name, make_zip(members), ctype
            return name, make_aes_zip(members, spec["password"], seed), ctype
        if kind == "enc_pdf":
            plain = make_pdf(paragraphs_of(spec), props)
            return name, encrypt_pdf(plain, spec["password"], seed), ctype
        raise ValueError(f"unknown attachment kind {kind}")


def fmt_date(s: str) -> str:
    d = dt.datetime.strptime(str(s), "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
    return email.utils.format_datetime(d)


def build_message(case: dict[str, Any], b: Builder, seed: str, msgid_domain: str) -> EmailMessage:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = case["from"]
    msg["To"] = ", ".join(case["to"])
    if case.get("cc"):
        msg["Cc"] = ", ".join(case["cc"])
    msg["Subject"] = case["subject"]
    msg["Date"] = fmt_date(case["date"])
    msg["Message-ID"] = f"<{seed}.heldout@{msgid_domain}>"
    if case.get("in_reply_to"):
        msg["In-Reply-To"] = case["in_reply_to"]
    for k, v in (case.get("headers") or {}).items():
        msg[k] = v
    cte = case.get("cte", "quoted-printable")
    body = case.get("body")
    html = case.get("html")
    if body is not None:
        msg.set_content(str(body), subtype="plain", charset="utf-8", cte=cte)
        if html:
            msg.add_alternative(str(html), subtype="html", charset="utf-8", cte=cte)
    elif html:
        msg.set_content(str(html), subtype="html", charset="utf-8", cte=cte)
    for att in case.get("attachments", []):
        if att["kind"] == "message":
            inner = build_message(att, b, f"{seed}-fwd", att.get("msgid_domain", "mail.example.net"))
            msg.add_attachment(inner)
            continue
        name, blob, ctype = b.build(att, seed)
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(blob, maintype=maintype, subtype=subtype, filename=name)
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_aldermoor_{seed}_{i}_=")
    return msg


def write_corpus(out: Path, cases: Path = CASES) -> None:
    data = yaml.safe_load(cases.read_text(encoding="utf-8"))
    msgid_domain = data.get("msgid_domain", "mail.uni-example.ac.uk")
    b = Builder(data)
    if out.exists():
        shutil.rmtree(out)
    (out / "unidocs").mkdir(parents=True)
    dom = data["domains"]
    (out / "config.toml").write_text(
        "# Domains of the held-out corpus (gateway configuration format).\n"
        "[domains]\n"
        f"internal = {json.dumps(dom['internal'])}\n"
        f"secure = {json.dumps(dom['secure'])}\n"
    )
    for u in data["unidocs"]:
        (out / "unidocs" / u["file"]).write_bytes(b.unidoc_bytes(u))
    labels = []
    ids = set()
    for case in data["cases"]:
        cid = case["id"]
        assert cid not in ids, cid
        ids.add(cid)
        msg = build_message(case, b, cid, msgid_domain)
        (out / f"{cid}.eml").write_bytes(msg.as_bytes())
        labels.append(
            {
                "id": cid,
                "file": f"{cid}.eml",
                "expect": case["expect"],
                "categories": case.get("categories", []),
                "must_not": case.get("must_not", []),
                "note": case["note"],
            }
        )
    with open(out / "labels.jsonl", "w", encoding="utf-8") as f:
        for lab in labels:
            f.write(json.dumps(lab, ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--check", action="store_true", help="rebuild elsewhere and compare with the committed corpus"
    )
    ap.add_argument("--cases", type=Path, default=CASES, help="case file (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=OUT, help="corpus directory (default: %(default)s)")
    a = ap.parse_args()
    if not a.check:
        write_corpus(a.out, a.cases)
        n = sum(1 for _ in a.out.glob("*.eml"))
        print(f"wrote {n} messages to {a.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "corpus"
        write_corpus(other, a.cases)
        diffs = []
        for p in sorted(other.rglob("*")):
            if p.is_file():
                q = a.out / p.relative_to(other)
                if not q.exists() or q.read_bytes() != p.read_bytes():
                    diffs.append(str(p.relative_to(other)))
        for d in diffs:
            print("differs:", d)
        print("reproducible" if not diffs else f"{len(diffs)} files differ")
        return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
