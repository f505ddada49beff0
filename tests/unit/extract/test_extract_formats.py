"""Each attachment format yields its text at the right location, its properties, or an uninspectable finding."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile

import pytest

from gateway.config import LimitSettings
from gateway.extract import extract_all
from gateway.model import Envelope, Inspection, Part
from tests.unit.extract import fixture_files as ff

LIMITS = LimitSettings()


def extract(
    data: bytes, filename: str, content_type: str = "application/octet-stream", **limits: object
) -> Inspection:
    insp = Inspection(envelope=Envelope("s@uni.example", ("r@ext.example",)))
    insp.parts.append(Part(data, content_type, filename, f"attachment:{filename}"))
    extract_all(insp, dataclasses.replace(LIMITS, **limits))  # type: ignore[arg-type]
    return insp


def texts(insp: Inspection) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in insp.segments:
        out[s.where] = out.get(s.where, "") + s.text
    return out


def types(insp: Inspection) -> set[str]:
    return {f.type for f in insp.findings}


def high(insp: Inspection) -> set[str]:
    """Finding types that the default policy acts on (score >= 0.5)."""
    return {f.type for f in insp.findings if f.score >= 0.5}


@pytest.mark.parametrize(
    ("builder", "filename", "where", "needle"),
    [
        (ff.docx, "case.docx", "attachment:case.docx", ff.FAKE_NAME),
        (ff.docx, "case.docx", "attachment:case.docx", f"7\t{ff.FAKE_NHS}"),
        (ff.docx, "case.docx", "attachment:case.docx/headers", "Ward 9 handover"),
        (ff.docx, "case.docx", "attachment:case.docx/headers", "printed by the night team"),
        (ff.docx, "case.docx", "attachment:case.docx/comments", "check the allergy list"),
        (ff.docx, "case.docx", "attachment:case.docx/properties", "Title: Handover sheet"),
        (ff.xlsx, "Ward list.xlsx", "attachment:Ward list.xlsx/Ward list", f"{ff.FAKE_NAME}\t9434765919"),
        (ff.xlsx, "Ward list.xlsx", "attachment:Ward list.xlsx/Doses", "gentamicin\t7"),
        (ff.pptx, "round.pptx", "attachment:round.pptx/slide 1", ff.FAKE_NAME),
        (ff.pptx, "round.pptx", "attachment:round.pptx/slide 1 notes", "DOB 01/02/1950"),
        (ff.odt, "letter.odt", "attachment:letter.odt", ff.FAKE_NAME),
        (ff.ods, "clinic.ods", "attachment:clinic.ods/Clinic", f"{ff.FAKE_NAME}\tQX1234567"),
        (ff.rtf, "referral.rtf", "attachment:referral.rtf", ff.FAKE_NAME),
        (ff.pdf, "letter.pdf", "attachment:letter.pdf", ff.FAKE_NAME),
        (ff.legacy_doc, "old.doc", "attachment:old.doc", ff.FAKE_NAME),
    ],
)
def test_document_text_lands_at_its_location(builder, filename, where, needle):
    """Body, tables, headers, comments, sheets, slides and notes are read into their own locations."""
    insp = extract(builder(), filename)
    assert needle in texts(insp).get(where, ""), texts(insp)
    assert not high(insp)


@pytest.mark.parametrize(
    ("builder", "filename", "fmt", "props"),
    [
        (
            ff.docx,
            "a.docx",
            "docx",
            {"title": "Handover sheet", "author": "A Student", "subject": "Night handover"},
        ),
        (ff.xlsx, "a.xlsx", "xlsx", {"title": "Ward list"}),
        (ff.pdf, "a.pdf", "pdf", {"title": "Discharge letter", "author": "Dr Example"}),
        (
            ff.rtf,
            "a.rtf",
            "rtf",
            {"title": "Referral letter", "author": "Dr Example", "company": "Example Trust"},
        ),
        (ff.odt, "a.odt", "text", {}),
    ],
)
def test_documents_become_document_artifacts_with_properties(builder, filename, fmt, props):
    """Every document gives one `document` artifact with its whole text and its properties."""
    insp = extract(builder(), filename)
    docs = [a for a in insp.artifacts if a.kind == "document"]
    assert len(docs) == 1
    assert docs[0].metadata["format"] == fmt
    for key, value in props.items():
        assert docs[0].metadata[key] == value
    assert ff.FAKE_NAME in docs[0].text or builder is ff.xlsx


def test_two_sheets_are_two_segments():
    """An XLSX with two sheets gives one segment per sheet, named after the sheet."""
    insp = extract(ff.xlsx(), "w.xlsx")
    sheets = [
        s.where
        for s in insp.segments
        if s.where.startswith("attachment:w.xlsx/") and "/properties" not in s.where
    ]
    assert sheets == ["attachment:w.xlsx/Ward list", "attachment:w.xlsx/Doses"]


def test_content_wins_over_name():
    """A DOCX renamed .pdf and declared application/pdf is still read as a Word document."""
    insp = extract(ff.docx(), "scan.pdf", "application/pdf")
    assert ff.FAKE_NAME in texts(insp)["attachment:scan.pdf"]
    assert not high(insp)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (ff.pdf(password="pw"), "locked.pdf", "ENCRYPTED_PDF"),
        (ff.aes_zip({"list.docx": ff.docx()}), "backup.zip", "ENCRYPTED_ARCHIVE"),
        (ff.zipcrypto_flagged({"list.txt": b"names"}), "backup.zip", "ENCRYPTED_ARCHIVE"),
        (ff.encrypted_docx(), "locked.docx", "ENCRYPTED_OFFICE"),
        (
            b"-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n",
            "note.asc",
            "ENCRYPTED_MESSAGE",
        ),
        (b"7z\xbc\xaf\x27\x1c" + bytes(64), "pack.7z", "UNSUPPORTED_ARCHIVE"),
        (b"%PDF-1.7\n this is not really a pdf", "broken.pdf", "PARSE_ERROR"),
        (b"PK\x03\x04" + bytes(40), "broken.zip", "PARSE_ERROR"),
        (ff.docx()[:2000], "truncated.docx", "PARSE_ERROR"),
    ],
)
def test_what_cannot_be_read_is_uninspectable(data, filename, expected):
    """Encrypted, unsupported and damaged files become full-score uninspectable findings."""
    insp = extract(data, filename)
    assert expected in high(insp), insp.findings
    assert all(f.category == "uninspectable" for f in insp.findings)


def test_owner_password_pdf_is_read():
    """A PDF that opens with the empty password (owner password only) is read like any other."""
    insp = extract(ff.pdf(password="owner", owner_only=True), "letter.pdf")
    assert ff.FAKE_NAME in texts(insp)["attachment:letter.pdf"]
    assert not high(insp)


def test_encrypted_zip_keeps_reading_open_members():
    """Encrypted members are reported once for the archive; the unencrypted ones are still read."""
    data = ff.zipcrypto_flagged({"locked.txt": b"secret"})
    mixed = ff.zip_of({"open.txt": f"list for {ff.FAKE_NAME}".encode(), "inner.zip": data})
    insp = extract(mixed, "mixed.zip")
    assert ff.FAKE_NAME in texts(insp)["attachment:mixed.zip/open.txt"]
    assert [f.where for f in insp.findings if f.type == "ENCRYPTED_ARCHIVE"] == [
        "attachment:mixed.zip/inner.zip"
    ]


def test_nested_archives_keep_their_path():
    """A document two archives deep is read at "attachment:outer.zip/inner.zip/case.docx"."""
    inner = ff.zip_of({"case.docx": ff.docx()})
    insp = extract(ff.zip_of({"inner.zip": inner}), "outer.zip")
    assert ff.FAKE_NAME in texts(insp)["attachment:outer.zip/inner.zip/case.docx"]


def test_archives_nested_past_the_depth_limit_are_uninspectable():
    """42.zip-style nesting stops at max_archive_depth with an ARCHIVE_LIMIT finding."""
    data = b"deep text"
    for _ in range(6):
        data = ff.zip_of({"layer.zip": data})
    insp = extract(data, "deep.zip", max_archive_depth=3)
    assert "ARCHIVE_LIMIT" in high(insp)


@pytest.mark.parametrize(
    ("data", "limits"),
    [
        (ff.zip_of({"zeros.bin": bytes(30_000_000)}), {"max_expanded_bytes": 10_000_000}),
        (ff.zip_of({"zeros.bin": bytes(5_000_000)}), {"max_expansion_ratio": 150}),
        (ff.zip_of({f"f{i}.txt": b"x" for i in range(50)}), {"max_archive_entries": 20}),
        (ff.overlap_zip(), {}),
    ],
    ids=["expanded-bytes", "ratio", "entries", "overlap"],
)
def test_zip_bombs_are_stopped(data, limits):
    """Archives over the expansion, ratio or entry caps, and overlapping members, are ARCHIVE_LIMIT."""
    insp = extract(data, "bomb.zip", **limits)
    assert "ARCHIVE_LIMIT" in high(insp), insp.findings


def test_gzip_bomb_is_stopped_while_inflating():
    """A gzip stream is counted as it inflates, so a bomb stops at the expansion limit."""
    import gzip

    insp = extract(gzip.compress(bytes(20_000_000)), "dump.gz", max_expanded_bytes=5_000_000)
    assert "ARCHIVE_LIMIT" in high(insp)


def test_tar_gz_members_are_read():
    """A .tar.gz has each member read at its path inside the archive."""
    import gzip
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tf:
        payload = f"ward list {ff.FAKE_NAME}".encode()
        info = tarfile.TarInfo("notes/list.txt")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    insp = extract(gzip.compress(raw.getvalue()), "notes.tar.gz")
    assert ff.FAKE_NAME in texts(insp)["attachment:notes.tar.gz/notes/list.txt"]


def test_outlook_msg_is_read_as_a_forwarded_message():
    """A .msg gives its subject, body and attachments, all marked quoted."""
    insp = extract(ff.msg(), "bloods.msg", "application/vnd.ms-outlook")
    t = texts(insp)
    assert t["attachment:bloods.msg/header:Subject"] == "Bloods for bay 3"
    assert ff.FAKE_NAME in t["attachment:bloods.msg/body"]
    assert ff.FAKE_NHS in t["attachment:bloods.msg/attachment:jobs.txt"]
    assert all(s.quoted for s in insp.segments)
    assert not high(insp)


def test_eml_attachment_is_read_with_its_own_attachments():
    """An attached .eml is parsed as a message: body and attachments quoted, at nested locations."""
    inner = ff.eml(attachment=("list.xlsx", ff.xlsx()))
    insp = extract(inner, "fwd.eml", "message/rfc822")
    t = texts(insp)
    assert ff.FAKE_NAME in t["attachment:fwd.eml/body"]
    assert "9434765919" in t["attachment:fwd.eml/attachment:list.xlsx/Ward list"]
    assert all(s.quoted for s in insp.segments)


def test_dicom_header_becomes_artifact_and_identifying_text():
    """DICOM tags become a `dicom` artifact and a segment of readable identifying tags."""
    insp = extract(ff.dicom(), "IM0001.dcm", "application/dicom")
    (art,) = [a for a in insp.artifacts if a.kind == "dicom"]
    assert art.metadata["PatientID"] == "QX7654321"
    assert art.metadata["InstitutionName"] == "Example General Hospital"
    text = texts(insp)["attachment:IM0001.dcm"]
    assert "PatientName: Hester Quilliam" in text
    assert "PatientBirthDate: 1950-02-01" in text
    assert "AccessionNumber: ACC998877" in text


def test_dicom_without_preamble_is_read_by_name():
    """A DICOM data set without the 128-byte preamble (no magic) is read when named .dcm."""
    data = ff.dicom()[132:]
    insp = extract(data, "raw.dcm")
    assert any(a.kind == "dicom" for a in insp.artifacts), insp.findings


@pytest.mark.parametrize("gps", [True, False])
def test_jpeg_exif_metadata(gps):
    """A JPEG's camera make, model, date and whether it has a GPS position end up in the artifact."""
    insp = extract(ff.jpeg_with_exif(gps=gps), "IMG_0001.jpg", "image/jpeg")
    (art,) = insp.artifacts
    assert art.kind == "image"
    assert art.metadata["make"] == "Apple"
    assert art.metadata["model"] == "iPhone 15"
    assert art.metadata["datetime"] == "2026:01:05 10:11:12"
    assert art.metadata["gps"] is gps
    assert (art.metadata["width"], art.metadata["height"]) == (64, 48)
    assert not insp.findings


def test_unknown_binary_is_informational_only():
    """A program or audio file gets an `other` artifact and a finding below the policy threshold."""
    insp = extract(b"MZ\x90\x00" + bytes(range(256)) * 8, "setup.exe", "application/x-msdownload")
    assert [a.kind for a in insp.artifacts] == ["other"]
    assert types(insp) == {"UNSUPPORTED_FORMAT"}
    assert not high(insp)


def test_csv_and_text_are_read_whole():
    """CSV and text attachments keep their lines and separators; Windows-1252 is decoded."""
    insp = extract(
        f"name,nhs\n{ff.FAKE_NAME},{ff.FAKE_NHS}\ncaf\xe9,1\n".encode("cp1252"), "list.csv", "text/csv"
    )
    assert texts(insp)["attachment:list.csv"] == f"name,nhs\n{ff.FAKE_NAME},{ff.FAKE_NHS}\ncafé,1\n"


def test_html_attachment_text_and_links():
    """An HTML attachment is read as text with its links."""
    html = b"<html><body><p>Patient list</p><a href='https://x.example/p'>portal</a></body></html>"
    insp = extract(html, "page.html", "text/html")
    assert texts(insp)["attachment:page.html"] == "Patient list\nportal <https://x.example/p>"


def test_embedded_spreadsheet_in_word_is_read():
    """An object embedded in a document (word/embeddings/) is read as a file of its own."""
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(ff.docx())) as src, zipfile.ZipFile(data, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/embeddings/Sheet1.xlsx", ff.xlsx())
    insp = extract(data.getvalue(), "report.docx")
    assert "9434765919" in texts(insp)["attachment:report.docx/word/embeddings/Sheet1.xlsx/Ward list"]


def test_text_over_the_budget_is_cut_and_reported():
    """Text past max_text_chars is not kept, and the message gets a TEXT_LIMIT finding."""
    insp = extract(b"word " * 10_000, "big.txt", "text/plain", max_text_chars=1000)
    assert sum(len(s.text) for s in insp.segments) <= 1000
    assert "TEXT_LIMIT" in high(insp)


def test_time_budget_exhausted_is_uninspectable():
    """When the extraction time budget is spent, the files not read are TIME_LIMIT findings."""
    insp = extract(ff.docx(), "case.docx", max_extract_seconds=-1.0)
    assert "TIME_LIMIT" in high(insp)
    assert not insp.segments


def test_files_found_inside_files_name_their_container():
    """An image inside a document or archive says where it was found (metadata "container")."""
    insp = extract(ff.zip_of({"photo.jpg": ff.jpeg_with_exif()}), "photos.zip")
    (image,) = [a for a in insp.artifacts if a.kind == "image"]
    assert image.metadata["container"] == "zip"
    top = extract(ff.jpeg_with_exif(), "photo.jpg")
    assert "container" not in top.artifacts[0].metadata


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_ocr_reads_text_in_images():
    """With OCR on, the text in an image becomes an attachment segment at the image's location."""
    insp = Inspection(envelope=Envelope("s@uni.example", ("r@ext.example",)))
    insp.parts.append(Part(ff.text_image("WARD 7 HANDOVER"), "image/png", "shot.png", "attachment:shot.png"))
    extract_all(insp, LIMITS, ocr=True)
    assert "HANDOVER" in texts(insp)["attachment:shot.png"].upper()
    assert [s.kind for s in insp.segments if s.where == "attachment:shot.png"] == ["attachment"]


def test_bodies_and_attachments_share_one_text_budget():
    """max_text_chars covers the whole message: body text already read leaves less for attachments."""
    from gateway.model import Segment

    insp = Inspection(envelope=Envelope("s@uni.example", ("r@ext.example",)))
    insp.segments.append(Segment("b" * 900, "body"))
    insp.parts.append(Part(b"word " * 100, "text/plain", "notes.txt", "attachment:notes.txt"))
    extract_all(insp, dataclasses.replace(LIMITS, max_text_chars=1000))
    assert sum(len(s.text) for s in insp.segments) <= 1000
    assert "TEXT_LIMIT" in high(insp)


def test_winmail_dat_body_and_attachments_are_read():
    """Outlook's TNEF (winmail.dat) gives its body and its attachments, by content, whatever the name."""
    insp = extract(ff.tnef(), "winmail.dat", "application/ms-tnef")
    t = texts(insp)
    assert t["attachment:winmail.dat/body"] == "Rich body text"
    assert ff.FAKE_NHS in t["attachment:winmail.dat/list.txt"]
    assert not high(insp)


def test_rtf_picture_data_is_not_text():
    """An RTF with an embedded picture gives its words, not the picture's hex digits."""
    picture = bytes(range(256)).hex().encode() * 64
    data = (
        b"{\\rtf1\\ansi Before "
        + b"{\\pict\\pngblip "
        + picture
        + b"} after "
        + ff.FAKE_NAME.encode()
        + b"\\par}"
    )
    text = texts(extract(data, "note.rtf"))["attachment:note.rtf"]
    assert ff.FAKE_NAME in text
    assert "0102" not in text


@pytest.mark.parametrize(("module", "suffix"), [("gzip", "gz"), ("bz2", "bz2"), ("lzma", "xz")])
def test_compressed_files_are_inflated_and_read(module, suffix):
    """A .gz, .bz2 or .xz file is inflated and read at the inner file's name."""
    import importlib

    data = importlib.import_module(module).compress(f"list: {ff.FAKE_NAME}\n".encode())
    insp = extract(data, f"notes.txt.{suffix}")
    assert ff.FAKE_NAME in texts(insp)[f"attachment:notes.txt.{suffix}/notes.txt"]
    assert not high(insp)


def test_damaged_worksheet_keeps_the_rows_before_the_damage():
    """A worksheet cut short is reported, and the rows before the cut are still read."""
    src = zipfile.ZipFile(io.BytesIO(ff.xlsx({"S": [[f"row{i}", i] for i in range(50)]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b"row40")]
            dst.writestr(info, data)
    insp = extract(out.getvalue(), "cut.xlsx")
    assert "row39\t39" in texts(insp)["attachment:cut.xlsx/S"]
    assert "PARSE_ERROR" in high(insp)


def test_tracked_changes_and_content_controls_are_read():
    """Tracked insertions and deletions and content controls in a DOCX are read (python-docx skips them)."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    extra = (
        f"<w:p {w}><w:ins w:id='1' w:author='a'><w:r><w:t>inserted words</w:t></w:r></w:ins>"
        "<w:del w:id='2' w:author='a'><w:r><w:delText>deleted words</w:delText></w:r></w:del></w:p>"
        f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>control text</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(ff.docx())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", extra + b"<w:sectPr", 1)
            dst.writestr(info, data)
    body = texts(extract(out.getvalue(), "changes.docx"))["attachment:changes.docx"]
    for words in ("inserted words", "deleted words", "control text"):
        assert words in body
