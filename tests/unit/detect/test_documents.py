"""University documents: registered copies (any format, excerpts, edits) and university markings."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from gateway.config import DocumentSettings, DomainSettings, Settings
from gateway.detect.base import Resources
from gateway.detect.documents import MARKING, REGISTERED, DocumentDetector, build, domain_stem
from gateway.detect.fingerprint import DocumentIndex, IndexedDocument, fingerprint, normalise
from gateway.errors import StoreError
from gateway.extract import extract_all
from gateway.extract.files import text_of_file
from gateway.mime import parse_message
from gateway.model import Envelope, Finding
from gateway.model.finding import UNIVERSITY_DOCUMENT
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
    defaults = DocumentSettings()
    return DocumentDetector(
        organisation=fx.ORG,
        markings=defaults.markings,
        audience_markings=defaults.audience_markings,
        index=loader,
    )


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


@pytest.mark.parametrize(
    "label", ["FOR INTERNAL USE ONLY", "FOR \u0130NTERNAL USE ONLY", "for \u0131nternal use only"]
)
def test_a_restrictive_marking_is_found_whatever_its_case(label: str) -> None:
    """A restrictive marking counts in any case, a dotted or dotless i included (the pattern ignores case)."""
    paragraphs = [*fx.ESSAY[2:4], label, "(c) University of Northam 2026"]
    (f,) = scan(None, fx.message("x", {"handout.docx": fx.docx_bytes(paragraphs)}))
    assert f.type == MARKING and f.score >= 0.8
    assert "for internal use only" in f.evidence


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


# -- who the university is: names the internal domains imply --------------------------------------

# an invented school that configured only its mail domains (organisation left at the default)
DOMAINS = ("tallowmere.ac.uk", "students.uni-tallowmere.ac.uk")
FILLER = [
    "Station 4 asks the candidate to explain a new inhaler to a worried parent and to check technique.",
    "Award marks for checking understanding, for a clear demonstration and for safety-netting advice.",
]


def scan_unconfigured(raw: bytes, domains: tuple[str, ...] = DOMAINS) -> list[Finding]:
    """Scan with the detector as `build` makes it from settings that name only the internal domains."""
    settings = Settings(domains=DomainSettings(internal=domains))
    insp = parse_message(raw, ENV, LIMITS)
    extract_all(insp, LIMITS)
    return build(settings, Resources()).detect(insp)


def marked(paragraphs: list[str], name: str = "paper.docx", *, author: str = "") -> list[Finding]:
    """Findings for one DOCX attachment of `paragraphs`, scanned with DOMAINS only."""
    return scan_unconfigured(fx.message("x", {name: fx.docx_bytes(paragraphs, author=author)}))


@pytest.mark.parametrize(
    ("domain", "stem"),
    [
        ("tallowmere.ac.uk", "tallowmere"),
        ("uni-tallowmere.ac.uk", "tallowmere"),
        ("students.uni-tallowmere.ac.uk", "tallowmere"),
        ("lists.tallowmere-med.ac.uk", "tallowmere"),
        ("med.tallowmere.edu", "tallowmere"),
        ("st-quenby.ac.uk", "st quenby"),
        ("Tallowmere.AC.UK.", "tallowmere"),
        ("ac.uk", ""),  # a registry names nobody
        ("ox.ac.uk", ""),  # two letters are too few to find in text
    ],
)
def test_domain_stem(domain: str, stem: str) -> None:
    """A mail domain gives the organisation's name word, without registry, subdomain or 'uni-'."""
    assert domain_stem(domain) == stem


@pytest.mark.parametrize(
    ("paragraphs", "author", "min_score"),
    [
        (["Copyright University of Tallowmere 2026", "For internal use only.", *FILLER], "", 0.8),
        (["TALLOWMERE MEDICAL SCHOOL", "Not for distribution", *FILLER], "", 0.7),
        (["Practical notes", *FILLER, "© 2025-26 the Tallowmere University, not to be reproduced"], "", 0.8),
        ([*FILLER, "(c) Tallowmere University"], "", 0.5),  # copyright alone: the weaker marking
        (["CONFIDENTIAL", "Skills rota", *FILLER], "Tallowmere Medical School, Skills Centre", 0.7),
        (["Minutes of the Curriculum Committee", "University of Tallowmere", *FILLER], "", 0.7),
        (["Tutor guide", "STAFF ONLY", "Tallowmere School of Medicine", *FILLER], "", 0.7),
    ],
)
def test_markings_of_the_university_the_domains_name(
    paragraphs: list[str], author: str, min_score: float
) -> None:
    """With only [domains] configured, the university those domains name is recognised in markings."""
    (f,) = marked(paragraphs, author=author)
    assert f.type == MARKING and f.score >= min_score


def test_evidence_names_the_domain_when_the_name_came_from_it() -> None:
    """The evidence says whose copyright it is: the organisation of the domain, not the default name."""
    (f,) = marked(["Copyright Tallowmere University 2026. For internal use only.", *FILLER])
    assert "(c) organisation of tallowmere.ac.uk" in f.evidence and "Example" not in f.evidence


@pytest.mark.parametrize(
    ("domains", "line"),
    [
        (("st-quenby.ac.uk",), "(c) University of St Quenby 2026"),
        (("st-quenby.ac.uk",), "Copyright St. Quenby University"),
        (("stquenby.ac.uk",), "© St Quenby Medical School 2025"),  # run-together domain, spaced name
        (("st-quenby.ac.uk",), "COPYRIGHT THE UNIVERSITY OF ST-QUENBY"),
    ],
)
def test_multi_word_and_hyphenated_names(domains: tuple[str, ...], line: str) -> None:
    """Spacing, hyphens, dots and case in a multi-word name do not hide it."""
    raw = fx.message("x", {"notes.docx": fx.docx_bytes(["Notes", "For internal use only.", *FILLER, line])})
    (f,) = scan_unconfigured(raw, domains)
    assert f.type == MARKING and f.score >= 0.8


def test_configured_organisation_still_counts_beside_the_domains() -> None:
    """A configured name that the domains do not imply is still the organisation."""
    settings = Settings(
        domains=DomainSettings(internal=DOMAINS), documents=DocumentSettings(organisation="Northam Poly")
    )
    insp = parse_message(
        fx.message("x", {"a.docx": fx.docx_bytes(["(c) Northam Poly", *FILLER])}), ENV, LIMITS
    )
    extract_all(insp, LIMITS)
    (f,) = build(settings, Resources()).detect(insp)
    assert f.type == MARKING and "(c) Northam Poly" in f.evidence


@pytest.mark.parametrize(
    "paragraphs",
    [
        # the bare name word is a town, a council, a football club as often as the university
        ["Parking permits", "Not for distribution", *FILLER, "(c) Tallowmere Borough Council 2026"],
        # the hospital trust and the students' union share the name but are other bodies
        ["Ward rota", "For internal use only", *FILLER, "© Tallowmere University Hospitals NHS Trust"],
        ["Ball budget", "Not for circulation", *FILLER, "(c) Tallowmere University Students' Union 2026"],
        ["Revision night", "STAFF ONLY", *FILLER, "(c) Tallowmere University Medical Society"],
        ["Textbook chapter", *FILLER, "© Tallowmere University Press 2024. Not to be reproduced."],
        # a name that merely starts with the domain word is another place
        ["Exam feedback", "For internal use only", *FILLER, "(c) University of Tallowmereton"],
        # public guidance and journals are not ours, whatever they say about copying
        ["Sepsis guidance", *FILLER, "© National Institute for Health and Care Excellence 2025."],
        ["Article reprint", "Not for distribution", *FILLER, "Copyright 2025 BMJ Publishing Group Ltd"],
        # another university's copyright, with no restriction that keeps it from students
        ["Open lecture", *FILLER, "Copyright University of Corriston 2026"],
        ["Conference handout", "Not for distribution", *FILLER, "(c) Corriston University 2025"],
        # a reference form of another university: CONFIDENTIAL and "staff use only" are not staff-only
        ["CONFIDENTIAL REFERENCE", "University of Corriston Admissions", "For staff use only: ____", *FILLER],
        # our own copyright next to an open licence
        [*FILLER, "(c) University of Tallowmere 2026. Licensed under CC BY 4.0."],
    ],
)
def test_other_bodies_are_not_the_university(paragraphs: list[str]) -> None:
    """Names that share the domain word, other universities and public bodies are not ours."""
    assert marked(paragraphs) == []


def test_essay_naming_the_university_in_its_properties_is_not_marked() -> None:
    """A student's essay whose properties (and text) name the university carries no marking."""
    paragraphs = [*fx.ESSAY, "I thank the University of Tallowmere for the elective bursary."]
    assert marked(paragraphs, author="Tallowmere University") == []


@pytest.mark.parametrize(
    "body",
    [
        "Thanks, see you Thursday.\n\nDr K Amadi\nSenior Lecturer, Tallowmere Medical School\n"
        "University of Tallowmere\nThis email is confidential and for the addressee only.",
        "fyi\n\n---------- Forwarded message ---------\nFrom: Year 2 Office <y2@tallowmere.ac.uk>\n"
        "Subject: Room change\n\nThe Friday seminar moves to room 4.\n(c) University of Tallowmere 2026",
    ],
)
def test_signatures_and_forwarded_school_mail_stay_out(body: str) -> None:
    """A signature or a forwarded school email naming the domain's university is not a document."""
    assert scan_unconfigured(fx.message(body)) == []


# -- a restriction that keeps a document from students, on any university's document -----------


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["Corriston University Medical School - Year 4 written paper", "EXAMINER COPY", *FILLER],
        [
            "Model answers",
            *FILLER,
            "Copyright University of Corriston 2025. Not to be shared with candidates.",
        ],
        ["Faculty guide", "CONFIDENTIAL – STAFF ONLY", *FILLER, "© 2026 Corriston School of Medicine"],
        ["Marking scheme – for examiners only", "University of Corriston", *FILLER],
    ],
)
def test_staff_only_document_of_a_university_is_marked(paragraphs: list[str]) -> None:
    """'Staff only', 'examiner copy'... on a document a university's copyright or heading owns counts."""
    (f,) = marked(paragraphs)
    assert f.type == MARKING and 0.5 <= f.score < 0.8 and "a university's document" in f.evidence


@pytest.mark.parametrize(
    "paragraphs",
    [
        # "staff only" as words in a sentence, not a label
        ["Welcome to Corriston University", "Students may not use the staff only car park.", *FILLER],
        # a hospital's staff-only rota, even when the hospital carries a university's name
        ["Corriston University Hospitals NHS Trust - Ward 9 rota", "STAFF ONLY", *FILLER],
        # a student society is not a university, whatever its name
        ["Corriston University Surgical Society", "Committee: tutors only", *FILLER],
        # the restriction alone, no university named: whose?
        ["Rota", "STAFF ONLY", *FILLER],
        # a university named deep in the text, not as the document's owner
        ["Shift swap sheet", "STAFF ONLY", *FILLER, "Bring your Corriston University card to the desk."],
    ],
)
def test_staff_only_traps(paragraphs: list[str]) -> None:
    """Staff-only words in prose, hospitals, societies and unowned rotas are not university documents."""
    assert marked(paragraphs) == []


def test_staff_only_text_of_another_university_in_the_body_is_not_enough() -> None:
    """In the body only our own copyright with a restriction counts: another university's does not."""
    body = "Look what I found:\n\nSTAFF ONLY\n" + fx.text(FILLER) + "\nCopyright Corriston University 2026"
    assert scan_unconfigured(fx.message(body)) == []
