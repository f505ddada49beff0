"""University documents: registered copies (any format, excerpts, edits) and university markings."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from gateway.config import DocumentSettings, Settings
from gateway.detect.documents import MARKING, REGISTERED, DocumentDetector
from gateway.detect.fingerprint import DocumentIndex, IndexedDocument, fingerprint, normalise
from gateway.errors import StoreError
from gateway.extract import extract_all
from gateway.extract.files import text_of_file
from gateway.model import Envelope, Finding
from gateway.model.finding import UNIVERSITY_DOCUMENT
from gateway.model.mime import parse_message
from tests.unit.detect import docfixtures as fx

LIMITS = Settings().limits
ENV = Envelope("student@northam.ac.uk", ("friend@gmail.com",))


def index_of(*docs: tuple[str, str]) -> DocumentIndex:
    """An index of (title, text) pairs, ids from 1."""
    return DocumentIndex(
        [
            IndexedDocument(i, title, fingerprint(t).unique, len(normalise(t).split()))
            for i, (title, t) in enumerate(docs, start=1)
        ]
    )


def registered_from_docx() -> DocumentIndex:
    """The handbook registered as staff do: from its DOCX, through the extractors."""
    data = fx.docx_bytes(fx.HANDBOOK, title=fx.HANDBOOK_TITLE)
    text, meta = text_of_file(data, "handbook.docx", LIMITS)
    assert meta.get("title") == fx.HANDBOOK_TITLE
    return index_of((fx.HANDBOOK_TITLE, text))


def detector(index: DocumentIndex | None) -> DocumentDetector:
    loader: Callable[[], DocumentIndex] | None = (lambda: index) if index is not None else None
    return DocumentDetector(organisation=fx.ORG, markings=DocumentSettings().markings, index=loader)


def scan(index: DocumentIndex | None, raw: bytes) -> list[Finding]:
    insp = parse_message(raw, ENV, LIMITS)
    extract_all(insp, LIMITS)
    return detector(index).detect(insp)


def of_type(findings: list[Finding], type_: str) -> list[Finding]:
    assert all(f.category == UNIVERSITY_DOCUMENT for f in findings)
    return [f for f in findings if f.type == type_]


@pytest.fixture(scope="module")
def handbook_index() -> DocumentIndex:
    return registered_from_docx()


# -- registered documents ------------------------------------------------------------------------


def test_whole_copy_renamed_docx_is_found(handbook_index: DocumentIndex) -> None:
    """The registered DOCX sent under another name matches it, nearly all of it."""
    raw = fx.message("here you go", {"notes for you.docx": fx.docx_bytes(fx.HANDBOOK)})
    (f,) = scan(handbook_index, raw)
    assert f.type == REGISTERED and f.where == "attachment:notes for you.docx"
    assert f.details["doc_id"] == 1 and f.details["share"] >= 0.95 and f.score >= 0.95
    assert re.fullmatch(rf"matches '{re.escape(fx.HANDBOOK_TITLE)}' \((9\d|100)%\)", f.evidence)


def test_docx_registered_pdf_sent(handbook_index: DocumentIndex) -> None:
    """A PDF printed from the registered DOCX matches it despite new line breaks and pages."""
    raw = fx.message("pdf version", {"handbook.pdf": fx.pdf_bytes(fx.HANDBOOK)})
    (f,) = of_type(scan(handbook_index, raw), REGISTERED)
    assert f.details["share"] >= 0.8 and f.score >= 0.9


def test_zipped_pdf_is_found_inside_the_archive(handbook_index: DocumentIndex) -> None:
    """A copy inside a ZIP is found, and the finding says where in the archive."""
    archive = fx.zip_bytes({"week1/handbook.pdf": fx.pdf_bytes(fx.HANDBOOK)})
    (f,) = of_type(scan(handbook_index, fx.message("zipped", {"pack.zip": archive})), REGISTERED)
    assert f.where.startswith("attachment:pack.zip/") and f.where.endswith("handbook.pdf")


def test_excerpt_of_a_few_paragraphs_in_a_new_document(handbook_index: DocumentIndex) -> None:
    """Three paragraphs copied into a new DOCX are a substantial part: reported with a small share."""
    excerpt = ["My notes", *fx.HANDBOOK[4:7]]
    (f,) = of_type(scan(handbook_index, fx.message("x", {"mine.docx": fx.docx_bytes(excerpt)})), REGISTERED)
    assert 0.15 <= f.details["share"] <= 0.5 and 0.5 <= f.score < 0.9


def test_paragraphs_pasted_into_the_body(handbook_index: DocumentIndex) -> None:
    """Text pasted into the body matches like an attachment."""
    body = "Hi, this is what they gave us:\n\n" + fx.text(fx.HANDBOOK[3:6]) + "\n\nSee you, A"
    (f,) = scan(handbook_index, fx.message(body))
    assert f.type == REGISTERED and f.where == "body" and not f.quoted


def test_lightly_edited_copy_still_matches(handbook_index: DocumentIndex) -> None:
    """A copy with words changed in every paragraph and one paragraph dropped still matches."""
    edited = [
        p.replace("the ", "the  ").replace("Week", "Wk").replace("you", "u").replace("and", "&")
        for p in fx.HANDBOOK
        if not p.startswith("Week 8")
    ]
    (f,) = of_type(scan(handbook_index, fx.message("x", {"edit.docx": fx.docx_bytes(edited)})), REGISTERED)
    assert f.details["share"] >= 0.2


def test_quoted_copy_is_reported_as_quoted(handbook_index: DocumentIndex) -> None:
    """Paragraphs inside the quoted part of a reply are found and marked quoted."""
    quoted = "\n".join("> " + line for line in fx.text(fx.HANDBOOK[4:8]).splitlines())
    body = "Sure, see below.\n\nOn Mon, 2 Mar 2026 at 10:00, Tutor <t@northam.ac.uk> wrote:\n" + quoted
    (f,) = scan(handbook_index, fx.message(body))
    assert f.type == REGISTERED and f.quoted


@pytest.mark.parametrize(
    "body",
    [
        "Arrive ten minutes early, change into the blue lab coat issued at induction. See you there!",
        # two separate sentences quoted from different places: each far below a paragraph
        "They keep saying 'Speak about them with the same courtesy you would show a patient on a ward' "
        "and 'Questions about timetabling go to the Year 1 Office'. Fair enough.",
    ],
)
def test_short_phrases_do_not_match(handbook_index: DocumentIndex, body: str) -> None:
    """A sentence or two lifted from a registered document is not a substantial part of it."""
    assert scan(handbook_index, fx.message(body)) == []


def test_a_different_document_of_the_same_template_is_not_that_document(
    handbook_index: DocumentIndex,
) -> None:
    """Shared headings and footer do not make another handbook a copy of the registered one."""
    raw = fx.message("x", {"physiology.docx": fx.docx_bytes(fx.SIBLING)})
    assert of_type(scan(handbook_index, raw), REGISTERED) == []


def test_template_mates_registered_together_report_only_the_one_sent() -> None:
    """With both handbooks registered, sending one names that one only."""
    index = index_of((fx.HANDBOOK_TITLE, fx.text(fx.HANDBOOK)), ("Physiology handbook", fx.text(fx.SIBLING)))
    (f,) = scan(index, fx.message("x", {"p.docx": fx.docx_bytes(fx.SIBLING)}))
    assert f.details["title"] == "Physiology handbook"


@pytest.mark.parametrize(
    ("name", "paragraphs"),
    [("essay.docx", fx.ESSAY), ("cv.docx", fx.CV), ("guide.pdf", fx.GUIDELINE)],
)
def test_own_work_and_public_documents_are_not_university_documents(
    handbook_index: DocumentIndex, name: str, paragraphs: list[str]
) -> None:
    """A student's essay or CV naming the university, or a public guideline, is not reported."""
    data = fx.pdf_bytes(paragraphs) if name.endswith(".pdf") else fx.docx_bytes(paragraphs, author="Alex")
    assert scan(handbook_index, fx.message("have a look", {name: data})) == []


def test_no_registry_at_all_still_scans() -> None:
    """Without an index (no registry yet) scanning works and finds nothing in plain mail."""
    assert scan(None, fx.message("see you at the lecture")) == []
    assert scan(DocumentIndex([]), fx.message("x", {"h.docx": fx.docx_bytes(fx.ESSAY)})) == []


# -- markings ------------------------------------------------------------------------------------


def test_unregistered_document_with_copyright_and_restriction_is_held_grade() -> None:
    """'(c) <organisation>' with 'For internal use only' is a clear university marking."""
    (f,) = scan(None, fx.message("x", {"tutor notes.docx": fx.docx_bytes(fx.TUTOR_NOTES)}))
    assert f.type == MARKING and f.score >= 0.8
    assert "for internal use only" in f.evidence and fx.ORG in f.evidence


def test_copyright_line_alone_is_a_weaker_marking() -> None:
    """A document whose only marking is the university's copyright line still counts, lower."""
    paragraphs = [*fx.ESSAY[2:4], "(c) University of Northam 2026"]
    (f,) = scan(None, fx.message("x", {"handout.pdf": fx.pdf_bytes(paragraphs)}))
    assert f.type == MARKING and 0.5 <= f.score < 0.8


def test_committee_minutes_naming_the_university() -> None:
    """Minutes of a university committee are a marked document."""
    (f,) = scan(None, fx.message("x", {"tqc.docx": fx.docx_bytes(fx.COMMITTEE_MINUTES)}))
    assert f.type == MARKING and f.score >= 0.5 and "committee minutes" in f.evidence


def test_restricted_committee_minutes_without_the_name() -> None:
    """Committee minutes marked 'not for circulation' are official even when no name is given."""
    paragraphs = ["Minutes of the Assessment Board, 9 June", "Not for circulation.", fx.COMMITTEE_MINUTES[2]]
    (f,) = scan(None, fx.message("x", {"board.docx": fx.docx_bytes(paragraphs)}))
    assert f.type == MARKING and f.score >= 0.5


def test_restrictive_marking_with_organisation_in_properties_only() -> None:
    """'Not for distribution' on a document whose properties name the university is marked."""
    paragraphs = ["Rota for the skills lab", "NOT FOR DISTRIBUTION", *fx.GUIDELINE[2:]]
    data = fx.docx_bytes(paragraphs, author="University of Northam, Skills Centre")
    (f,) = scan(None, fx.message("x", {"rota.docx": data}))
    assert f.type == MARKING and f.score >= 0.5


@pytest.mark.parametrize(
    ("name", "paragraphs"),
    [
        ("society.docx", fx.SOCIETY_MINUTES),  # a student society is not the university
        (
            "open.docx",
            [*fx.ESSAY[2:4], "(c) University of Northam 2025. Licensed under Creative Commons CC BY 4.0."],
        ),
        (
            "other.docx",
            ["Internal memo", "For internal use only.", *fx.GUIDELINE[2:]],
        ),  # whose marking? not ours
    ],
)
def test_not_the_universitys_markings(name: str, paragraphs: list[str]) -> None:
    """Society minutes, an openly licensed handout and another body's marking are not reported."""
    assert scan(None, fx.message("x", {name: fx.docx_bytes(paragraphs)})) == []


def test_confidential_label_on_a_document_naming_the_university() -> None:
    """An upper-case CONFIDENTIAL label on a document that names the university is a marking."""
    paragraphs = ["CONFIDENTIAL", "Exam board briefing, University of Northam", *fx.GUIDELINE[2:]]
    (f,) = scan(None, fx.message("x", {"brief.docx": fx.docx_bytes(paragraphs)}))
    assert f.type == MARKING and f.score >= 0.5 and "CONFIDENTIAL" in f.evidence


def test_confidentiality_discussed_in_prose_is_not_a_marking() -> None:
    """An essay naming the university and discussing what is confidential carries no marking."""
    paragraphs = [
        *fx.ESSAY,
        "Everything a patient tells you is confidential, as the University of Northam reminds us.",
    ]
    assert scan(None, fx.message("x", {"essay.docx": fx.docx_bytes(paragraphs)})) == []


def test_signature_naming_the_university_is_not_a_document() -> None:
    """A tutor's signature block with the university's name and a disclaimer is not a marking."""
    body = (
        "Thanks, see you Thursday.\n\nDr J Smith\nSenior Lecturer, School of Medicine\n"
        "University of Northam, Kestrel Building\nThis email is confidential and intended for the addressee."
    )
    assert scan(None, fx.message(body)) == []


def test_forwarded_school_email_with_copyright_footer_is_not_a_document() -> None:
    """A timetable email from the school, forwarded with its (c) footer, is not a marked document."""
    body = (
        "fyi, the new times\n\n---------- Forwarded message ---------\nFrom: Year 1 Office <y1@northam.ac.uk>\n"
        "Subject: Timetable change\n\nThe anatomy practical on Tuesday moves to 2pm in the Kestrel Building.\n"
        "Year 1 Office, School of Medicine\n(c) University of Northam 2026"
    )
    assert scan(None, fx.message(body)) == []


def test_saved_public_web_page_with_copyright_footer_is_not_a_document() -> None:
    """A saved page of the university's public site carries its (c) footer but is public."""
    page = (
        "<html><body><h1>Open day</h1><p>Visit the School of Medicine on 6 June and tour the "
        "skills centre.</p><footer>(c) University of Northam 2026</footer></body></html>"
    )
    assert scan(None, fx.message("x", {"open day.html": page.encode()})) == []


def test_marked_text_pasted_into_the_body() -> None:
    """Copyright and a restrictive marking together in the body count as a pasted document."""
    body = "Here it is:\n\n" + fx.text(fx.TUTOR_NOTES) + "\n\nbye"
    (f,) = scan(None, fx.message(body))
    assert f.type == MARKING and f.where == "body"


def test_registered_match_is_not_also_reported_as_marking(handbook_index: DocumentIndex) -> None:
    """The handbook carries a copyright line, but one finding (the registered match) is enough."""
    raw = fx.message("x", {"h.docx": fx.docx_bytes(fx.HANDBOOK)})
    assert [f.type for f in scan(handbook_index, raw)] == [REGISTERED]


def test_load_warms_the_index_and_survives_an_unreadable_store() -> None:
    """load() fetches the index once; a store error there is retried by detect, which then fails."""
    calls: list[int] = []

    def broken() -> DocumentIndex:
        calls.append(1)
        raise StoreError("database unreachable")

    det = DocumentDetector(organisation=fx.ORG, markings=(), index=broken)
    det.load()
    assert calls == [1]
    insp = parse_message(fx.message("hello"), ENV, LIMITS)
    with pytest.raises(StoreError):
        det.detect(insp)
