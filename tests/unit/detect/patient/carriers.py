"""Whole messages that carry one identifier in one place: the body, the subject, a file name, a CSV...

Each builder returns the raw bytes of a message a student could send, so
that a test (or `gateway scan`) sees the identifier only after the MIME
walker and the extractors have done their part. Everything is invented
here; numbers get their check digits computed by `patientfixtures`.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

SENDER = "Robin Ashcombe <robin.ashcombe@student.northam.ac.uk>"
FRIEND = "Kit Marlowe <kit.marlowe99@gmail.com>"


@dataclass(frozen=True)
class Item:
    """One identifier and the ways a student writes it down."""

    name: str
    sentence: str  # a sentence in a message, with the identifier in it
    short: str  # what fits in a subject line or a file name
    header: str  # a column heading for it in a table
    value: str  # the identifier alone, for a table cell


def _message(subject: str, body: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = SENDER
    m["To"] = FRIEND
    m["Subject"] = subject
    m["Date"] = "Mon, 05 Jan 2026 09:00:00 +0000"
    m["Message-ID"] = "<carrier@student.northam.ac.uk>"
    m.set_content(body)
    return m


def _attach(m: EmailMessage, name: str, data: bytes, mime: str) -> bytes:
    maintype, subtype = mime.split("/")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m.as_bytes()


def body(item: Item) -> bytes:
    return _message("quick one", f"Hi Kit,\n\n{item.sentence}\n\nThanks\nRobin\n").as_bytes()


def subject(item: Item) -> bytes:
    return _message(item.short, "As above, thanks.\n\nRobin\n").as_bytes()


def file_name(item: Item) -> bytes:
    name = item.short.replace("/", "-").replace(":", "") + ".pdf"
    m = _message("the file", "Here it is.\n\nRobin\n")
    return _attach(m, name, pdf_of("Summary page"), "application/pdf")


def csv_file(item: Item) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([item.header, "Result", "Seen"])
    w.writerow([item.value, "raised", "yes"])
    m = _message("list", "The list from this morning.\n\nRobin\n")
    return _attach(m, "list.csv", buf.getvalue().encode(), "text/csv")


def xlsx_file(item: Item) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([item.header, "Result", "Seen"])
    ws.append([item.value, "raised", "yes"])
    buf = io.BytesIO()
    wb.save(buf)
    m = _message("list", "The list from this morning.\n\nRobin\n")
    return _attach(
        m, "list.xlsx", buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def docx_file(item: Item) -> bytes:
    m = _message("notes", "My notes from today.\n\nRobin\n")
    return _attach(m, "notes.docx", docx_of(item.sentence), _DOCX)


def pdf_file(item: Item) -> bytes:
    m = _message("notes", "My notes from today.\n\nRobin\n")
    return _attach(m, "notes.pdf", pdf_of(item.sentence), "application/pdf")


def html_table(item: Item) -> bytes:
    m = _message("list", "The list from this morning.")
    m.add_alternative(
        "<html><body><p>The list from this morning.</p><table>"
        f"<tr><th>{item.header}</th><th>Result</th><th>Seen</th></tr>"
        f"<tr><td>{item.value}</td><td>raised</td><td>yes</td></tr></table></body></html>",
        subtype="html",
    )
    return m.as_bytes()


def quoted_reply(item: Item) -> bytes:
    quoted = "\n".join("> " + line for line in item.sentence.splitlines())
    text = f"Done, see below.\n\nRobin\n\nOn Mon, 5 Jan 2026 at 08:12, Sam Okafor <sam.okafor@nhs.net> wrote:\n{quoted}\n"
    return _message("Re: quick one", text).as_bytes()


def forwarded(item: Item) -> bytes:
    inner = EmailMessage()
    inner["From"] = "Sam Okafor <sam.okafor@nhs.net>"
    inner["To"] = "robin.ashcombe@student.northam.ac.uk"
    inner["Subject"] = "quick one"
    inner.set_content(f"{item.sentence}\n\nSam\n")
    m = _message("Fwd: quick one", "See the message below.\n\nRobin\n")
    m.add_attachment(inner)
    return m.as_bytes()


CARRIERS: dict[str, Callable[[Item], bytes]] = {
    "body": body,
    "subject": subject,
    "file name": file_name,
    "csv": csv_file,
    "xlsx": xlsx_file,
    "docx": docx_file,
    "pdf": pdf_file,
    "html table": html_table,
    "quoted reply": quoted_reply,
    "forwarded": forwarded,
}

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_of(text: str, pictures: tuple[bytes, ...] = ()) -> bytes:
    from docx import Document
    from docx.shared import Inches

    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    for picture in pictures:
        doc.add_picture(io.BytesIO(picture), width=Inches(4))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_of(text: str) -> bytes:
    """A one-page PDF whose text layer holds `text`, one text line per line (Latin-1 only)."""
    from tests.unit.extract.fixture_files import one_page_pdf

    ops = []
    for i, line in enumerate(text.splitlines()):
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /F1 11 Tf 60 {780 - 16 * i} Td ({safe}) Tj ET")
    return one_page_pdf("\n".join(ops).encode("latin-1"))


def photo(*, exif: bool, seed: int = 7, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A phone-sized JPEG of noise (big enough not to look like a logo), with or without camera EXIF."""
    from PIL import Image

    rnd = random.Random(seed)
    w, h = size
    im = Image.frombytes("RGB", (w, h), rnd.randbytes(w * h * 3))
    buf = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[271] = "Apple"
        data[272] = "iPhone 15"
        im.save(buf, format="JPEG", exif=data, quality=70)
    else:
        im.save(buf, format="JPEG", quality=70)
    return buf.getvalue()


def screen_capture(size: tuple[int, int] = (1920, 1080)) -> bytes:
    """A PNG the size of a screen with a title bar and rows of grey text bars, as a record system draws it
    (flat colours, so it compresses to a few kilobytes)."""
    from PIL import Image, ImageDraw

    w, h = size
    im = Image.new("RGB", size, (245, 245, 245))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, w, 60), fill=(20, 60, 120))
    for i in range(min(30, (h - 100) // 30)):
        y = 80 + i * 30
        draw.rectangle((40, y, 40 + (i * 37) % (w // 2) + 200, y + 14), fill=(60, 60, 60))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def zip_with(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def with_attachment(text: str, name: str, data: bytes, mime: str, subject_line: str = "from today") -> bytes:
    """A message with `text` as its body and one attachment."""
    return _attach(_message(subject_line, text), name, data, mime)
