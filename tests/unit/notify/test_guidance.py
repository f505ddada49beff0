"""The school's guidance texts: shipped files complete for every category and detector type, overrides, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.errors import ConfigError
from gateway.model import CATEGORIES
from gateway.notify.guidance import Guidance

#: every finding type the detectors and extractors emit today, by category (grep `type=` / Finding( in
#: gateway/detect, gateway/extract, gateway/mime.py); a new type needs its own advice
DETECTOR_TYPES: dict[str, tuple[str, ...]] = {
    "patient_identifier": (
        "NHS_NUMBER",
        "CHI_NUMBER",
        "HC_NUMBER",
        "HOSPITAL_NUMBER",
        "DATE_OF_BIRTH",
        "PATIENT_NAME",
        "PATIENT_ADDRESS",
        "PATIENT_PHONE",
        "INDIRECT_IDENTIFICATION",
    ),
    "patient_image": ("CLINICAL_PHOTO", "SCREENSHOT", "DICOM_IMAGE"),
    "abusive_language": (
        "PROFANITY",
        "INSULT",
        "THREAT",
        "HARASSMENT",
        "DISCRIMINATION",
        "OBSCENE",
        "DEFAMATION",
    ),
    "university_document": ("REGISTERED_DOCUMENT", "UNIVERSITY_MARKING"),
    "uninspectable": (
        "ENCRYPTED_ARCHIVE",
        "ENCRYPTED_OFFICE",
        "ENCRYPTED_PDF",
        "ENCRYPTED_MESSAGE",
        "OPAQUE_SIGNED",
        "ARCHIVE_LIMIT",
        "UNSUPPORTED_ARCHIVE",
        "UNSUPPORTED_FORMAT",
        "NO_TEXT_LAYER",
        "PARSE_ERROR",
        "AMBIGUOUS_MIME",
        "MIME_NESTING",
        "TOO_MANY_PARTS",
        "TEXT_LIMIT",
        "TIME_LIMIT",
        "MEMORY_LIMIT",
    ),
    "etiquette": ("ALL_CAPS", "LARGE_EXTERNAL_RECIPIENT_LIST"),
}
ALL_TYPES = [(c, t) for c, types in DETECTOR_TYPES.items() for t in types]


@pytest.fixture(scope="module")
def guidance() -> Guidance:
    return Guidance.load()


def test_every_category_has_its_own_advice(guidance: Guidance) -> None:
    """Each finding category has a shipped guidance file with a title, why, what to do and a source."""
    assert set(DETECTOR_TYPES) == set(CATEGORIES)
    for category in CATEGORIES:
        a = guidance.advice(category, "SOMETHING_NEW")
        assert a.title != guidance.general.title, category
        assert a.why and a.todo and a.source and a.label, category


@pytest.mark.parametrize(("category", "type_"), ALL_TYPES)
def test_every_detector_type_has_specific_words(guidance: Guidance, category: str, type_: str) -> None:
    """Every type a detector emits is named in plain words of its own, with advice to act on."""
    assert type_ in guidance.known_types(category)
    a = guidance.advice(category, type_)
    assert a.label != guidance.advice(category, "SOMETHING_NEW").label
    assert a.label[0].islower() and "_" not in a.label  # fits "We found <label> in ..."
    assert a.todo.strip() and a.why.strip()


def test_advice_cites_the_guidance_by_title(guidance: Guidance) -> None:
    """Why-it-matters texts name the professional guidance they come from, by title."""
    titles = {"Social Media Guidance for Medical Students", "An Ethical Guide to Social Media"}
    for category in CATEGORIES:
        assert any(t in guidance.advice(category, "X").source for t in titles), category


def test_remediation_examples_from_the_issue(guidance: Guidance) -> None:
    """The concrete remediation the school asked for is in the advice students get."""
    assert "a man in his 70s" in guidance.advice("patient_identifier", "NHS_NUMBER").todo
    doc = guidance.advice("university_document", "REGISTERED_DOCUMENT").todo
    assert "supervisor's nhs.net address" in doc and "link on the VLE instead of the file" in doc
    assert "without the personal remarks" in guidance.advice("abusive_language", "INSULT").todo


def test_abuse_never_shows_an_excerpt_or_a_draft(guidance: Guidance) -> None:
    """Abusive-language advice forbids excerpts and drafts, so a notice never repeats the words."""
    for type_ in DETECTOR_TYPES["abusive_language"]:
        a = guidance.advice("abusive_language", type_)
        assert (a.excerpt, a.draft) == (False, "never")


def test_patient_identifier_offers_a_draft_with_placeholders(guidance: Guidance) -> None:
    """Patient identifiers offer a de-identified draft; each number/name type says what replaces it."""
    a = guidance.advice("patient_identifier", "NHS_NUMBER")
    assert a.draft == "offer" and a.placeholder == "NHS number removed"
    assert guidance.advice("patient_identifier", "PATIENT_NAME").placeholder == "the patient"


def test_unknown_category_falls_back_to_general(guidance: Guidance) -> None:
    """A finding of a category without a file gets the general advice, not an error."""
    a = guidance.advice("not_a_category", "WHATEVER")
    assert a.title == guidance.general.title and a.todo == guidance.general.todo


def test_school_folder_replaces_a_file_and_keeps_the_rest(tmp_path: Path) -> None:
    """A file in notify.guidance_dir replaces the shipped one of that name; other files stay shipped."""
    (tmp_path / "etiquette.toml").write_text(
        'label = "a slip"\ntitle = "Our house style"\nwhy = "Because."\ntodo = "- Write nicely."\nsource = "Handbook"\n'
    )
    g = Guidance.load(tmp_path)
    assert g.advice("etiquette", "ALL_CAPS").title == "Our house style"
    assert g.advice("patient_identifier", "NHS_NUMBER").label == "an NHS number"


def test_lists_and_paragraphs_are_kept_apart(tmp_path: Path) -> None:
    """Lines of a paragraph join; "- " items and empty-line paragraphs stay separate."""
    (tmp_path / "etiquette.toml").write_text(
        'label = "a slip"\ntitle = "T"\nsource = "S"\n'
        'why = """\nOne paragraph\nwrapped here.\n\nAnother one.\n"""\n'
        'todo = """\n- first item\n  continued\n- second item\n"""\n'
    )
    a = Guidance.load(tmp_path).advice("etiquette", "X")
    assert a.why == "One paragraph wrapped here.\n\nAnother one."
    assert a.todo == "- first item continued\n- second item"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('label = "x"\ntitle = "t"\nwhy = "w"\ntodo = "d"\ncolour = "red"\n', "unknown key"),
        ('label = "x"\ntitle = "t"\nwhy = "w"\ntodo = "d"\nexcerpt = "yes"\n', "expected bool"),
        ('label = "x"\ntitle = "t"\nwhy = "w"\ntodo = "d"\ndraft = "maybe"\n', "must be one of"),
        ('label = "x"\ntitle = "t"\nwhy = "w"\ntodo = "d"\n[types.A]\nlabel = 3\n', "types.A.label"),
        ("label = \n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    """A broken guidance file stops start-up with an error naming the file and the key."""
    (tmp_path / "etiquette.toml").write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        Guidance.load(tmp_path)
    assert "etiquette.toml" in str(info.value)


def test_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    """A guidance_dir that does not exist is reported, not silently ignored."""
    with pytest.raises(ConfigError, match=r"notify\.guidance_dir"):
        Guidance.load(tmp_path / "nope")
