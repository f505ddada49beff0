"""What the meaning classifier reads: normalised tokens, features, sentences and windows."""

from __future__ import annotations

import itertools

import pytest

from gateway.detect.meaning.features import CAP, HELP, NAME, REPORTED, cited_spans
from gateway.detect.meaning.model import featurizer
from gateway.detect.meaning.windows import MAX_SENTENCE, WINDOW_CHARS, sentences, windows

FEAT = featurizer()


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Karen Mbatha's smear", [NAME, "mbatha", CAP, "'s", "smear"]),
        ("karen mbatha's smear", [NAME, "mbatha", "'s", "smear"]),
        ("saw Mrs Okafor today", ["saw", "mrs", NAME, "today"]),
        ("nhs 9960308243", ["nhs", "#0000000000"]),
        ("MRN K7734102 please", ["mrn", "#k0000000", "please"]),
        ("call 07700 900123", ["call", "#00000", "#000000"]),
        ("The ICU was full", ["the", "icu", "was", "full"]),
        ("will you mark it", ["will", "you", "mark", "it"]),
    ],
)
def test_tokens_are_normalised(text: str, tokens: list[str]) -> None:
    """Names become _name_ (capitalised given names, lower-case curated names, after a title), digits their shape,
    other capitalised words add _cap_; everyday words that are also names ("will", "mark") stay words."""
    assert FEAT.tokens(text) == tokens


def test_features_are_words_pairs_skips_and_stems() -> None:
    """A sentence's features are its tokens, each pair of neighbours (the first after a sentence start), each
    pair one word apart, and the first five letters of each longer word."""
    assert FEAT.features("you will regret it") == {
        "w:you",
        "w:will",
        "w:regret",
        "w:it",
        "b:<s> you",
        "b:you will",
        "b:will regret",
        "b:regret it",
        "s:you regret",
        "s:will it",
        "p:regre",
    }


def test_capital_shapes_stay_out_of_pairs() -> None:
    """The `_cap_` shape is a feature of its own; pairs, skips and stems are made of words only."""
    feats = FEAT.features("ask Mbatha now")
    assert {"w:_cap_", "b:ask mbatha", "b:mbatha now", "s:ask now", "p:mbath"} <= feats
    assert not {f for f in feats if f.startswith(("b:", "s:", "p:")) and "_cap_" in f}


def test_numbers_never_reach_the_features() -> None:
    """No digit of an identifier survives into a feature: the model sees its shape only."""
    feats = FEAT.features("NHS 943 476 5919, hospital no RXH1234567, call 07700900123")
    assert not any(ch.isdigit() and ch != "0" for f in feats for ch in f)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Dr. Lee saw her.\nNext line", ["Dr.", "Lee saw her.", "Next line"]),
        ("  padded  \n\n  ", ["padded"]),
        ("3.5 mg daily. ok", ["3.5 mg daily.", "ok"]),
        ("--- \n ... \n", []),
    ],
)
def test_sentences_with_offsets(text: str, pieces: list[str]) -> None:
    """Sentences end at . ! ? before white space or at a line break; blank and symbol-only pieces are dropped."""
    assert [text[s:e] for s, e in sentences(text)] == pieces


def test_a_long_sentence_is_cut() -> None:
    """A run-on sentence is cut into pieces of at most MAX_SENTENCE characters."""
    text = "word " * 1000
    spans = sentences(text)
    assert len(spans) > 1
    assert all(e - s <= MAX_SENTENCE for s, e in spans)


def test_windows_cover_every_sentence_and_stay_short() -> None:
    """Every sentence is in a window; a window of several sentences fits WINDOW_CHARS; none is inside another."""
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    spans = sentences(text)
    wins = windows(spans)
    covered = {k for w in wins for k in range(w.first, w.last + 1)}
    assert covered == set(range(len(spans)))
    assert all(w.end - w.start <= WINDOW_CHARS for w in wins if w.first != w.last)
    assert all(b.last > a.last for a, b in itertools.pairwise(wins))


def test_a_short_message_is_one_window() -> None:
    """A short email is scored whole, as the model was trained on whole short emails."""
    text = "Hi. Did you hear about Bethany? She's in ICU."
    (w,) = windows(sentences(text))
    assert (w.start, w.end) == (0, len(text))


@pytest.mark.parametrize(
    ("text", "voices"),
    [
        # quotation marks: double, curly, single around words; an apostrophe is not a quotation
        ('she wrote "you are useless" on it', {"wrote": "", "you": "q:", "useless": "q:", "it": ""}),
        ("he typed “go home” twice", {"go": "q:", "home": "q:", "twice": ""}),
        ("the word 'stupid' is banned", {"stupid": "q:", "is": "", "banned": ""}),
        ("I don't think it's Sam's", {"don't": "", "think": "", "it": ""}),
        ("the students' books, don't 'worry'", {"books": "", "worry": "q:"}),
        ("an 'unclosed mark here", {"unclosed": "", "mark": "", "here": ""}),
        ('"an unclosed double mark', {"an": "q:", "unclosed": "q:", "mark": "q:"}),
        # after a reporting verb, to the end of the clause
        (
            "he called me a liar; then left",
            {"he": "", "called": "", "me": "", "liar": "r:", "then": "", "left": ""},
        ),
        ("he called me a liar, the creep", {"liar": "r:", "creep": "r:"}),
        ("she told me I was thick; we cried", {"was": "r:", "thick": "r:", "cried": ""}),
        ("they keep saying nasty things", {"keep": "", "nasty": "r:", "things": "r:"}),
        ("Priya messaged me saying sorry", {"sorry": "r:"}),
        # the writer's own words
        ("you will regret it", {"you": "", "will": "", "regret": "", "it": ""}),
        ("I'll call you tomorrow", {"call": "", "you": "", "tomorrow": ""}),
    ],
)
def test_words_in_someone_elses_voice(text: str, voices: dict[str, str]) -> None:
    """Words inside quotation marks are quoted, words after a reporting verb up to the clause's end are reported,
    everything else is the writer's own (an apostrophe opens no quotation)."""
    got = dict(FEAT.voiced(text))
    assert {tok: got[tok] for tok in voices} == voices


@pytest.mark.parametrize(
    ("text", "features", "absent"),
    [
        ('he said "I will hurt you"', {"q:hurt", "q:you", "b:will hurt", "w:he"}, {"w:hurt", "w:you"}),
        ("I will hurt you", {"w:hurt", "w:you", "b:will hurt"}, {"q:hurt", "r:hurt"}),
        ("she called me a slag", {"r:slag", "b:a slag"}, {"w:slag"}),
    ],
)
def test_cited_words_have_features_of_their_own(text: str, features: set[str], absent: set[str]) -> None:
    """A cited word gives q:word or r:word instead of w:word; its pairs and stem stay the writer's."""
    feats = FEAT.features(text)
    assert features <= feats
    assert not absent & feats


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("I want to report something that happened on placement", True),
        ("Can I make a formal complaint about this?", True),
        ("What should I do?", True),
        ("Is it ok to send this to my tutor", True),
        ("Who should I speak to about it", True),
        ("I have reported it to the Dean", True),
        ("I'm writing to raise a concern about my supervisor", True),
        ("I've screenshotted all of it", True),
        ("I've reported it", True),
        ("I\u2019ve reported it", True),
        ("I reported him to the deanery", True),
        ("I have told my supervisor", True),
        ("should I go to the police", True),
        ("We went to the police on Friday", True),
        ("I'm going to speak to my educational supervisor", True),
        ("I emailed the student support team", True),
        ("Do I need to report this?", True),
        ("Is it worth flagging?", True),
        ("How do I raise it", True),
        ("Am I overreacting", True),
        ("I know what you did and I'll make you pay", False),
        ("I'll tell your supervisor you're a liar", False),
        ("I told him the team hates him", False),
        ("I called him a liar in front of everyone", False),
        ("I went to uni with her", False),
        ("shall we go for lunch", False),
        ("report to theatre 3 at eight", False),
        ("we should go to the pub after", False),
        ("I don't know", False),
    ],
)
def test_a_request_for_help_is_marked(text: str, asks: bool) -> None:
    """A sentence that reports to staff or asks what to do carries the help marker; an attack or an errand does
    not."""
    assert (HELP in FEAT.features(text)) is asks


def test_reported_words_reach_a_clause_at_most() -> None:
    """Reported words stop at the clause's end or after about 80 characters, whichever comes first: a long
    sentence after "said" goes back to the writer's own words."""
    text = "she said that " + "blah " * 10 + "and then much later on in the same breath " + "ending here"
    got = FEAT.voiced(text)
    assert got[2] == ("that", REPORTED)
    assert got[-1] == ("here", "")
    assert all(voice == REPORTED for tok, voice in got[2:12])


@pytest.mark.parametrize(
    "title", ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sister", "Nurse"]
)
def test_a_word_after_any_title_is_a_name(title: str) -> None:
    """Every courtesy or clinical title makes the capitalised word after it a name, and is no capital shape
    itself."""
    assert FEAT.tokens(f"saw {title} Quartermaine today") == ["saw", title.lower(), NAME, "today"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("B's grades", ["b", "'s", "grades"]),
        ("then I went", ["then", "i", "went"]),
        ("then Abbott came", ["then", "abbott", CAP, "came"]),
        ("1" * 20, ["#" + "0" * 14]),
        ("x" * 50, ["x" * 40]),
    ],
)
def test_token_edges(text: str, tokens: list[str]) -> None:
    """A one-letter possessive still splits; "I" inside a sentence and a capital word before "i" in the alphabet
    are handled alike (no shape for "I"); digit shapes keep 14 characters and words 40."""
    assert FEAT.tokens(text) == tokens


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("ring 07700 900123 now", {"b:ring #00000", "b:#00000 #000000", "s:#00000 now"}, set()),
        ("MRN K7734102 ref 12345abc", {"w:#k0000000", "w:#00000abc"}, {"p:#k000", "p:#0000"}),
        ("their hello", {"w:their", "w:hello"}, {"p:their", "p:hello"}),
    ],
)
def test_pairs_and_stems_around_shapes(text: str, present: set[str], absent: set[str]) -> None:
    """Digit shapes take part in word pairs and skip pairs like words; only words longer than five letters that
    start with a letter give a stem."""
    feats = FEAT.features(text)
    assert present <= feats
    assert not absent & feats


@pytest.mark.parametrize(
    ("text", "voices"),
    [
        ("the note read 'don't touch it' twice", {"don't": "q:", "touch": "q:", "it": "q:", "twice": ""}),
        ("the word 'stupid'", {"word": "", "stupid": "q:"}),
        (
            'an \'unclosed mark, then "quoted words" here',
            {"unclosed": "", "quoted": "q:", "words": "q:", "here": ""},
        ),
        ('"one""two" three', {"one": "q:", "two": "q:", "three": ""}),
        (
            "the sign 'don't",
            {"sign": "", "don't": ""},
        ),  # an apostrophe one letter from the end closes nothing
        ("she said " + "a" * 77 + " zz", {"zz": "r:"}),  # 79 characters after the verb: still reported
        ("she said " + "a" * 78 + " zz", {"zz": ""}),  # 80: the reach ends before it
    ],
)
def test_quotation_and_reach_edges(text: str, voices: dict[str, str]) -> None:
    """An apostrophe inside a quoted word does not close the quotation; a closing mark at the sentence's end does;
    an unclosed single mark does not stop later quotations; back-to-back quotations are both quoted; reported
    words reach 80 characters after the verb."""
    got = dict(FEAT.voiced(text))
    assert {tok: got[tok] for tok in voices} == voices


@pytest.mark.parametrize(
    "text",
    [
        "the note 'you called me names' made my friends laugh",
        "the note 'hi' and the card 'you called me names' made my friends laugh",
    ],
)
def test_a_reporting_verb_inside_a_quotation_reports_nothing_after_it(text: str) -> None:
    """A reporting verb inside quotation marks is part of the quotation: the words after the closing mark are the
    writer's own again, however many quotations came before (overlapping cited parts are dropped, not kept)."""
    voices = dict(FEAT.voiced(text))
    assert (voices["called"], voices["names"]) == ("q:", "q:")
    assert {voices[w] for w in ("made", "my", "friends", "laugh")} == {""}
    assert all(
        s >= e0 for (_, e0, _), (s, _, _) in zip(cited_spans(text), cited_spans(text)[1:], strict=False)
    )


@pytest.mark.parametrize(
    "text",
    [
        "I want to report it",
        "I'd like to complain",
        "I need to raise something",
        "I wish to flag this",
        "I'm writing to make a complaint",
        "I write to make a formal complaint",
        "I want to let you know what happened",
        "I'd like to make a complaint",
        "making a complaint now",
        "can I file a complaint",
        "I will lodge a formal complaint",
        "I'd put in a complaint",
        "I raise my concern here",
        "I must raise this concern",
        "should we report this",
        "I'll report him",
        "we could report her",
        "they will report them",
        "what do I do now",
        "what can I do",
        "what would I do",
        "should I tell anyone",
        "could I speak to you",
        "can I complain",
        "do I go to the Dean",
        "would this be okay to send",
        "is that ok to post",
        "who do I tell",
        "who can I report it to",
        "who should I contact",
        "who should I go to",
        "I reported it",
        "any advice welcome",
        "I dont know what to do",
        "here is a screenshot",
        "we made a formal report",
        "I filed a complaint",
        "she lodged a complaint",
        "I submitted a report",
        "shall I tell someone",
        "must we escalate",
        "can we involve HR",
        "should I inform them",
        "could we contact security",
        "do I have to go",
        "would we need to flag it",
        "will I need to tell them",
        "is it worth telling",
        "is it worth raising",
        "is it worth mentioning",
        "is it worth reporting",
        "how can I complain",
        "how should we deal with this",
        "how would I handle it",
        "how do I escalate",
        "what are my options",
        "where do I stand",
        "we've flagged it",
        "I had escalated it",
        "I'd logged it",
        "I have documented everything",
        "I complained",
        "I have just reported it",
        "we finally reported it",
        "I'll tell my tutor",
        "I will tell the police",
        "I'm gonna tell my mentor",
        "I did tell my GP",
        "I then told the Dean",
        "I eventually told the deanery",
        "I also told the registrar",
        "I've already informed my consultant",
        "I contacted the union",
        "I e-mailed the welfare officer",
        "I email the wellbeing service",
        "I messaged my personal tutor",
        "I rang the helpline",
        "I ring the police",
        "I phoned security",
        "I alerted the ward manager",
        "I notified the safeguarding lead",
        "we asked the course director",
        "I involved the placement lead",
        "I spoke to the matron",
        "I've spoken to the chaplain",
        "I talked to a counsellor",
        "I went to the GMC",
        "I've been to the pastoral team",
        "I reached out to the guardian",
        "I turned to my academic advisor",
        "I need some advice",
        "I'd appreciate any help",
        "I want support",
        "some help please",
    ],
)
def test_every_way_of_asking_for_help_is_marked(text: str) -> None:
    """Each phrasing the help marker knows, one per row, carries it (in any capitalisation)."""
    assert HELP in FEAT.features(text)
    assert HELP in FEAT.features(text.upper())


AUTHORITIES = [
    "supervisor",
    "tutor",
    "mentor",
    "lead",
    "dean",
    "deanery",
    "police",
    "hr",
    "union",
    "welfare",
    "wellbeing",
    "support",
    "counsellor",
    "counselor",
    "counselling",
    "security",
    "manager",
    "registrar",
    "consultant",
    "director",
    "guardian",
    "ombudsman",
    "gp",
    "adviser",
    "advisor",
    "officer",
    "office",
    "staff",
    "head",
    "department",
    "faculty",
    "university",
    "helpline",
    "matron",
    "chaplain",
    "gmc",
    "nmc",
    "bma",
    "safeguarding",
    "pastoral",
    "someone",
    "somebody",
]
WHICH = [
    "the",
    "my",
    "our",
    "a",
    "an",
    "his",
    "her",
    "their",
    "uni",
    "university",
    "medical",
    "med",
    "school",
    "student",
    "clinical",
    "educational",
    "personal",
    "academic",
    "course",
    "module",
    "year",
    "site",
    "placement",
    "ward",
    "practice",
    "senior",
    "local",
    "hospital",
    "trust",
    "foundation",
]


@pytest.mark.parametrize("whom", AUTHORITIES)
def test_telling_each_kind_of_authority_is_marked(whom: str) -> None:
    """Telling any of the people or bodies a report goes to ("I've told the deanery") carries the help marker."""
    assert HELP in FEAT.features(f"I've told the {whom}")
    assert HELP not in FEAT.features(f"I've told the {whom}s' cat")  # a longer word is not the authority


@pytest.mark.parametrize("which", WHICH)
def test_words_that_only_say_which_authority_are_skipped(which: str) -> None:
    """Up to three words that only say which one ("my clinical educational supervisor") stand between the verb and
    whom it was told; any other word does not."""
    assert HELP in FEAT.features(f"I told {which} tutor")
    assert HELP in FEAT.features(f"I told my {which} clinical tutor")
    if which not in AUTHORITIES:  # "university" is both
        assert HELP not in FEAT.features(f"I told {which} friend tutor")


def test_at_most_three_words_stand_before_the_authority() -> None:
    """Three words saying which one are skipped, a fourth is not: the marker reads a bounded stretch."""
    assert HELP in FEAT.features("I told my senior clinical tutor")
    assert HELP not in FEAT.features("I told my senior clinical site tutor")


@pytest.mark.parametrize(
    "verb",
    [
        "called me",
        "calls us",
        "calling him",
        "call her",
        "called them",
        "said",
        "says",
        "saying",
        "told me",
        "told us",
        "told him",
        "told her",
        "told them",
        "texted",
        "texts",
        "texting",
        "messaged",
        "messages",
        "messaging",
        "messaged me",
        "messaged us",
        "wrote",
        "writes",
        "shouted",
        "shouts",
        "shouting",
        "yelled",
        "yells",
        "yelling",
        "screamed",
        "screams",
        "screaming",
        "posted",
        "posts",
        "posting",
        "commented",
        "comments",
        "commenting",
        "went like",
        "goes like",
        "going like",
        "Said",
    ],
)
def test_every_reporting_verb_reports(verb: str) -> None:
    """The words after each reporting verb the featuriser knows are reported, and the verb itself is the writer's."""
    got = FEAT.voiced(f"then she {verb} nasty stuff")
    assert got[-2:] == [("nasty", REPORTED), ("stuff", REPORTED)]
    assert got[2] == (verb.split()[0].lower(), "")


TELLING = [
    "tell",
    "told",
    "telling",
    "inform",
    "informed",
    "informing",
    "contact",
    "contacted",
    "contacting",
    "email",
    "emailed",
    "emailing",
    "e-mail",
    "message",
    "messaged",
    "messaging",
    "call",
    "called",
    "calling",
    "rang",
    "ring",
    "phone",
    "phoned",
    "phoning",
    "alert",
    "alerted",
    "notify",
    "notified",
    "ask",
    "asked",
    "involve",
    "involved",
]
GOING_TO = [
    "speak",
    "spoke",
    "spoken",
    "speaking",
    "talk",
    "talked",
    "talking",
    "go",
    "went",
    "gone",
    "been",
    "going",
    "reach",
    "reached",
    "turn",
    "turned",
]


@pytest.mark.parametrize("verb", [*TELLING, *(f"{v} to" for v in GOING_TO)])
def test_every_form_of_telling_someone_is_marked(verb: str) -> None:
    """Each tense of each verb of telling or going to someone, before whom a report goes to, carries the marker."""
    text = f"I {verb} the police".replace("reach to", "reach out to").replace("reached to", "reached out to")
    assert HELP in FEAT.features(text)


@pytest.mark.parametrize(
    "writer",
    [
        *(f"I{aux}" for aux in ("'ve", " have", "'d", " had", "'m", " am", "'ll", " will", " did")),
        *(f"we {adverb}" for adverb in ("just", "already", "now", "finally", "also", "then", "eventually")),
        "I'm going to",
        "we gonna",
    ],
)
def test_every_form_of_the_writer_is_read(writer: str) -> None:
    """The writer with each auxiliary, adverb or future form, then a telling, carries the marker."""
    assert HELP in FEAT.features(f"{writer} tell the deanery")


def test_a_report_verb_must_end_its_word() -> None:
    """ "we reportedly won" is no report: the reporting verb must be a whole word."""
    assert HELP not in FEAT.features("we reportedly won the cup")
    assert HELP in FEAT.features("we reported it")
