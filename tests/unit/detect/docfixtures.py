"""Documents the document tests make for themselves: texts, DOCX, PDF, ZIP and messages.

The texts are invented for these tests (a fictional "University of
Northam"); nothing here comes from the evaluation corpus. PDFs are written
by hand (one Helvetica font, wrapped lines, several pages): enough for the
PDF reader, with no PDF-writing dependency.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from email.message import EmailMessage

ORG = "University of Northam"

HANDBOOK_TITLE = "Year 1 Anatomy Practical Handbook 2025-26"
HANDBOOK = [
    "Year 1 Anatomy Practical Handbook 2025-26",
    "University of Northam School of Medicine, Kestrel Building. Issued by the Anatomy Teaching Unit for "
    "the first-year practical classes in the dissecting room and the prosection gallery.",
    "About these classes. Each practical runs for two hours on a Tuesday or Thursday morning. You will "
    "work in a table group of six with a demonstrator who moves between two tables. Arrive ten minutes "
    "early, change into the blue lab coat issued at induction and leave bags in the lockers on the "
    "ground floor corridor, because nothing but a notebook is allowed beyond the gallery doors.",
    "Respect for donors. The people whose bodies you study gave them so that you could learn. Speak "
    "about them with the same courtesy you would show a patient on a ward. Photographs, video and "
    "audio recordings are forbidden in the dissecting room, and no tissue may leave it for any reason. "
    "A breach of these rules is a fitness to practise matter, not a disciplinary footnote.",
    "Week 3: the thoracic wall and the pleura. Identify the intercostal muscles in their three layers, "
    "follow the neurovascular bundle along the costal groove and explain why a chest drain is placed "
    "just above a rib rather than just below it. Demonstrate the costodiaphragmatic recess on the "
    "prosected specimen and estimate how far it extends in quiet breathing.",
    "Week 5: the heart in situ. Trace the great vessels from the arch of the aorta, open the pericardial "
    "sac along the marked line, and name the surfaces and borders of the heart as seen on a plain "
    "chest radiograph. Use the plastinated hearts to follow the coronary arteries and note which "
    "territory each supplies, since this returns in the cardiology block next term.",
    "Week 8: the anterior abdominal wall and the inguinal canal. Reflect the skin flaps prepared by "
    "the demonstrators, identify the external oblique aponeurosis and open the canal along its length. "
    "Compare a direct with an indirect hernia using the models on the side bench, and describe the "
    "relation of each to the inferior epigastric vessels in one clear sentence.",
    "Week 11: the upper limb. Dissect the brachial plexus from the roots in the posterior triangle to "
    "the terminal branches in the axilla, and test yourself with the nerve injury cards: wrist drop, "
    "claw hand and winging of the scapula each point to one nerve. Bring a coloured pencil set to draw "
    "the plexus from memory at the end of the class.",
    "Assessment. Anatomy is examined in the spotter stations of the end-of-year practical. Each station "
    "shows a tagged structure and asks one short question; you have one minute per station and may not "
    "return to a station. Half of the stations use prosections, a quarter use radiographs and a quarter "
    "use surface anatomy on a volunteer model.",
    "Getting help. The demonstrators run an open revision session every Friday lunchtime in the gallery. "
    "Questions about timetabling go to the Year 1 Office; questions about the content go to the module "
    "lead through the discussion board on the learning platform, where answers help everyone.",
    "(c) University of Northam 2025. Issued to registered students of the School of Medicine only. Not "
    "to be reproduced or distributed outside the University.",
]

# the same template, a different handbook: shares the first two and the last paragraph's shape only
SIBLING = [
    "Year 1 Physiology Practical Handbook 2025-26",
    "University of Northam School of Medicine, Kestrel Building. Issued by the Physiology Teaching Unit "
    "for the first-year practical classes in the teaching laboratories on the second floor.",
    "About these classes. Each practical runs for three hours on a Monday afternoon. You will work in "
    "pairs, record your own data in the laboratory workbook and hand in one short write-up per class.",
    "Week 2: spirometry. Measure your partner's forced vital capacity and forced expiratory volume in "
    "one second three times, take the best of the three and compare the ratio with predicted values "
    "for age, height and sex. Explain what an obstructive and a restrictive pattern would look like.",
    "Week 4: the electrocardiogram. Place the limb and chest electrodes, record a resting twelve-lead "
    "trace and identify the waves, intervals and axis. Repeat after two minutes of stepping and "
    "describe which intervals shorten as the heart rate rises.",
    "Week 6: renal handling of water. Drink the measured water load, collect urine every twenty minutes "
    "for two hours and plot volume and osmolality against time. Relate the curve to antidiuretic "
    "hormone and to what happens after a salty meal.",
    "(c) University of Northam 2025. Issued to registered students of the School of Medicine only. Not "
    "to be reproduced or distributed outside the University.",
]

ESSAY = [
    "Is it ever right to break a confidence to protect a third party?",
    "Reflective essay for the Professional Practice module, University of Northam. Word count 1,420.",
    "When I started medical school I assumed that confidentiality was close to absolute. A placement "
    "conversation changed my mind: a general practitioner described a patient with uncontrolled "
    "epilepsy who kept driving, and the long, careful discussion that came before the practice told "
    "the licensing agency. In this essay I argue that disclosure without consent can be justified, but "
    "only as a last resort and only to the person who needs to know.",
    "Guidance from the regulator sets out a clear order: encourage the patient to act, tell them what "
    "you intend to do, and disclose the minimum necessary. I think this order matters morally as well "
    "as legally, because it keeps the patient an agent in their own story for as long as possible.",
    "Critics reply that any breach erodes trust and may stop people seeking care. That risk is real, "
    "and it is why the threshold must stay high; but a rule that never bends would ask doctors to "
    "stand by while foreseeable serious harm happens to someone who never agreed to carry that risk.",
    "I conclude that confidentiality is a strong duty rather than an absolute one, and that the way a "
    "disclosure is made counts as much as the decision to make it.",
]

CV = [
    "Alex Morgan - Curriculum Vitae",
    "Address: 4 Orchard Row, Northam NM2 7QT. Email: alex.morgan@student.northam.ac.uk.",
    "Education. MBChB, University of Northam, 2023 to present, currently in Year 3. A levels in "
    "Chemistry, Biology and Mathematics.",
    "Experience. Healthcare assistant on a care of the elderly ward during two summers. Volunteer "
    "reader at a primary school. Treasurer of the university rowing club.",
    "Skills. Basic life support, phlebotomy, conversational French. References available on request.",
]

GUIDELINE = [
    "Safe use of messaging apps in clinical teams: a good practice guide",
    "(c) Society of Imaginary Physicians 2024. All rights reserved. Unauthorised copying or distribution "
    "of this guide for commercial purposes is prohibited; it may be reproduced for personal study.",
    "Messaging apps are quick, familiar and always to hand, which is exactly why they need care in "
    "clinical work. Use only the tools your organisation has approved, switch off message previews on "
    "the lock screen, and never send an image of a patient from your own phone.",
    "Keep clinical decisions in the record. A message thread is not a clinical record, so write down "
    "anything that changes care, and delete clinical messages from personal devices once recorded.",
]

TUTOR_NOTES = [
    "Clinical Skills Tutorial 4: Examining the Knee - Tutor Notes",
    "CONFIDENTIAL - TUTOR VERSION. School of Medicine, Year 2 Clinical Skills Programme.",
    "Purpose. Students practise a structured knee examination on each other and learn the special "
    "tests. Tutors should hold back the model answers until every pair has tried each test once.",
    "Model answers. Effusion: the patellar tap and the sweep test; ligaments: the anterior drawer and "
    "Lachman's test for the anterior cruciate, the posterior sag sign for the posterior cruciate.",
    "(c) University of Northam 2026. For internal use only.",
]

COMMITTEE_MINUTES = [
    "Minutes of the Teaching Quality Committee, 4 March 2026",
    "School of Medicine, University of Northam. Held in the Kestrel Building board room.",
    "1. Apologies were received from two members. 2. The minutes of the previous meeting were approved. "
    "3. The committee discussed the timing of feedback on written assignments and agreed a fifteen "
    "working day target from next term.",
]

SOCIETY_MINUTES = [
    "Northam Anatomy Society committee meeting minutes, 2 March",
    "Present: president, secretary, treasurer and two year reps. We agreed the date of the spring "
    "social, the price of the hoodies and a revision quiz night before the University of Northam exams.",
]


def text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def docx_bytes(paragraphs: list[str], *, title: str = "", author: str = "") -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.core_properties.title = title
    d.core_properties.author = author
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def pdf_bytes(paragraphs: list[str], *, title: str = "") -> bytes:
    """A minimal PDF: Helvetica 10 pt, lines wrapped at 95 characters, 55 lines a page."""
    lines: list[str] = []
    for p in paragraphs:
        lines.extend(textwrap.wrap(p, 95) or [""])
        lines.append("")
    pages = [lines[i : i + 55] for i in range(0, len(lines), 55)] or [[]]
    objects: list[bytes] = []

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(f"<< /Title ({esc(title)}) /Producer (test) >>".encode())
    for i, page in enumerate(pages):
        body = "BT /F1 10 Tf 14 TL 50 800 Td " + " ".join(f"({esc(line)}) Tj T*" for line in page) + " ET"
        stream = body.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            f" /Contents {6 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for num, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % num + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


_TYPES = {
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("application", "pdf"),
    "zip": ("application", "zip"),
    "txt": ("text", "plain"),
    "html": ("text", "html"),
}


def message(body: str, attachments: dict[str, bytes] | None = None, *, to: str = "friend@gmail.com") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Student <student@northam.ac.uk>"
    msg["To"] = to
    msg["Subject"] = "files"
    msg.set_content(body)
    for name, data in (attachments or {}).items():
        maintype, subtype = _TYPES[name.rsplit(".", 1)[-1]]
        if maintype == "text":
            msg.add_attachment(data.decode(), subtype=subtype, filename=name)
        else:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes().replace(b"\n", b"\r\n")
