"""Attachments built at test time: every format the extractors read, in a few lines each.

All text here is invented for the tests (no corpus content). Each builder
returns the file's bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from email.message import EmailMessage

FAKE_NHS = "943 476 5919"  # a made-up number that passes the modulus-11 check
FAKE_NAME = "Hester Quilliam"  # an invented patient


def docx(*, body: str = f"Patient {FAKE_NAME} seen today.", table: list[list[str]] | None = None) -> bytes:
    """A Word document with a body paragraph, a table, a header, a footer, a comment and properties."""
    from docx import Document

    doc = Document()
    para = doc.add_paragraph(body)
    rows = table or [["Bed", "NHS number"], ["7", FAKE_NHS]]
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    doc.sections[0].header.paragraphs[0].text = "Ward 9 handover - header text"
    doc.sections[0].footer.paragraphs[0].text = "Footer: printed by the night team"
    doc.add_comment(para.runs, text="Reviewer comment: check the allergy list", author="Tutor")
    doc.core_properties.title = "Handover sheet"
    doc.core_properties.author = "A Student"
    doc.core_properties.subject = "Night handover"
    return _save(doc)


def xlsx(sheets: dict[str, list[list[object]]] | None = None) -> bytes:
    from openpyxl import Workbook

    sheets = sheets or {
        "Ward list": [["Name", "NHS"], [FAKE_NAME, 9434765919]],
        "Doses": [["Drug", "mg/kg"], ["gentamicin", 7]],
    }
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.properties.title = "Ward list"
    return _save(wb)


def pptx(slide_text: str = f"Case: {FAKE_NAME}", notes: str = "Speaker notes: DOB 01/02/1950") -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Grand round"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = slide_text
    slide.notes_slide.notes_text_frame.text = notes
    return _save(prs)


def odt(text: str = f"Letter about {FAKE_NAME}") -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    doc.text.addElement(P(text=text))
    return _save(doc)


def ods(rows: list[list[str]] | None = None, sheet: str = "Clinic") -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in rows or [["Name", "Hospital no"], [FAKE_NAME, "QX1234567"]]:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    return _save(doc)


def rtf(text: str = f"Referral for {FAKE_NAME}") -> bytes:
    return (
        "{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}{\\info{\\title Referral letter}"
        "{\\author Dr Example}{\\company Example Trust}}\\f0 " + text + "\\par}"
    ).encode("ascii")


def pdf(
    text: str = f"Discharge letter for {FAKE_NAME}", *, password: str | None = None, owner_only: bool = False
) -> bytes:
    """A one-page PDF with real text; optionally AES-256 encrypted (user password, or owner only)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(_minimal_pdf(text)), strict=False)
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    writer.add_metadata({"/Title": "Discharge letter", "/Author": "Dr Example"})
    if password is not None:
        writer.encrypt(
            user_password="" if owner_only else password, owner_password=password, algorithm="AES-256"
        )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _minimal_pdf(text: str) -> bytes:
    """Just enough PDF for pypdf to read back (it repairs the cross-reference table)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return one_page_pdf(f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1"))


def one_page_pdf(stream: bytes, *, filters: bytes = b"") -> bytes:
    """A one-page PDF around a content stream (`filters` such as b" /Filter /FlateDecode")."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def zip_of(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zipcrypto_flagged(files: dict[str, bytes]) -> bytes:
    """A ZIP whose members carry the "encrypted" flag (bit 0), as ZipCrypto archives do."""
    data = bytearray(zip_of(files, compression=zipfile.ZIP_STORED))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            flags = struct.unpack_from("<H", data, i + flag_at)[0]
            struct.pack_into("<H", data, i + flag_at, flags | 0x1)
            start = i + 4
    return bytes(data)


def aes_zip(files: dict[str, bytes], password: bytes = b"secret") -> bytes:
    import pyzipper

    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password)
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def overlap_zip() -> bytes:
    """Two members whose data overlap: the first one's compressed size runs into the second."""
    data = bytearray(zip_of({"a.txt": b"A" * 5000, "b.txt": b"B" * 5000}, compression=zipfile.ZIP_STORED))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 20, 9000)  # compressed size of a.txt, into b.txt's header
    struct.pack_into("<I", data, central + 24, 9000)
    return bytes(data)


def encrypted_docx(password: str = "secret") -> bytes:
    """A Word document saved with a password: an OLE file holding EncryptedPackage."""
    from msoffcrypto.format.ooxml import OOXMLFile

    src = OOXMLFile(io.BytesIO(docx()))
    out = io.BytesIO()
    src.encrypt(password, out)
    return out.getvalue()


def msg(subject: str = "Bloods for bay 3", body: str = f"Please take bloods from {FAKE_NAME}") -> bytes:
    """A minimal Outlook .msg (OLE) with subject, body, sender and one text attachment."""
    from extract_msg import OleWriter

    def u(s: str) -> bytes:
        return s.encode("utf-16-le")

    w = OleWriter()
    w.addEntry("__nameid_version1.0", storage=True)
    for s in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        w.addEntry("__nameid_version1.0/" + s, b"")
    w.addEntry("__substg1.0_001A001F", u("IPM.Note"))
    w.addEntry("__substg1.0_0037001F", u(subject))
    w.addEntry("__substg1.0_1000001F", u(body))
    w.addEntry("__substg1.0_0C1A001F", u("Dr Registrar"))
    w.addEntry("__properties_version1.0", b"\x00" * 32)
    att = "__attach_version1.0_#00000000"
    w.addEntry(att, storage=True)
    w.addEntry(f"{att}/__substg1.0_3707001F", u("jobs.txt"))
    w.addEntry(f"{att}/__substg1.0_37010102", f"NHS {FAKE_NHS} needs an ECG".encode())
    prop = struct.pack("<HHI", 0x0003, 0x3705, 6) + b"\x01\x00\x00\x00" + b"\x00" * 4
    w.addEntry(f"{att}/__properties_version1.0", b"\x00" * 8 + prop)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def legacy_doc(text: str = f"Clinic letter for {FAKE_NAME}") -> bytes:
    """An OLE file with a WordDocument stream holding UTF-16 text, as Word 97-2003 stores it."""
    from extract_msg import OleWriter

    w = OleWriter()
    w.addEntry("WordDocument", b"\xec\xa5" + b"\x00" * 30 + text.encode("utf-16-le") + b"\x00" * 16)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def dicom(*, name: str = "QUILLIAM^HESTER", patient_id: str = "QX7654321") -> bytes:
    """A small DICOM file with patient, institution and study tags and 4x4 pixels."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("x.dcm", {}, file_meta=meta, preamble=b"\x00" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = name
    ds.PatientID = patient_id
    ds.PatientBirthDate = "19500201"
    ds.InstitutionName = "Example General Hospital"
    ds.StudyDate = "20260105"
    ds.AccessionNumber = "ACC998877"
    ds.Modality = "OT"
    ds.Rows = ds.Columns = 4
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelRepresentation = 0
    ds.PixelData = bytes(16)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def jpeg_with_exif(*, gps: bool = True) -> bytes:
    from PIL import Image

    im = Image.new("RGB", (64, 48), (200, 120, 90))
    exif = Image.Exif()
    exif[271] = "Apple"
    exif[272] = "iPhone 15"
    exif[305] = "17.2"
    exif[306] = "2026:01:05 10:11:12"
    exif.get_ifd(0x8769)[36867] = "2026:01:05 10:11:12"
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def text_image(text: str) -> bytes:
    """A PNG with large black text on white, for OCR."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=48)
    im = Image.new("L", (60 + 30 * len(text), 120), 255)
    ImageDraw.Draw(im).text((30, 30), text, fill=0, font=font)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def eml(body: str = f"Forwarded list: {FAKE_NAME}", attachment: tuple[str, bytes] | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = "Dr Registrar <reg@hospital.example>"
    m["To"] = "student@uni.example"
    m["Subject"] = "Jobs for today"
    m["Date"] = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    m.set_content(body)
    if attachment:
        m.add_attachment(
            attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0]
        )
    return m.as_bytes()


def _save(obj: object) -> bytes:
    buf = io.BytesIO()
    obj.save(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


def tnef(
    body: str = "Rich body text", attachment: tuple[str, bytes] = ("list.txt", f"NHS {FAKE_NHS}".encode())
) -> bytes:
    """A minimal winmail.dat: TNEF signature, a body and one attachment (each attribute checksummed)."""

    def attr(level: int, attr_id: int, data: bytes) -> bytes:
        return struct.pack("<BII", level, attr_id, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = struct.pack("<IH", 0x223E9F78, 1)
    out += attr(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += attr(1, 0x0002800C, body.encode() + b"\x00")  # attBody
    out += attr(2, 0x00069002, b"\x01\x00" + bytes(12))  # attAttachRendData: an attachment starts
    out += attr(2, 0x00018010, attachment[0].encode() + b"\x00")  # attAttachTitle
    out += attr(2, 0x0006800F, attachment[1])  # attAttachData
    return out
