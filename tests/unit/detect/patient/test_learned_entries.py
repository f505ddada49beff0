"""Accepted staff names and public figures: the patient detector treats them like its own lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.detect.patient import PatientDetector
from gateway.model.learned import NO_ENTRIES, LearnedEntries
from tests.unit.detect.patientfixtures import inspection

NAME = "Ottoline Fairweather"  # invented
#: messages the detector holds for the name until it is taught otherwise
HELD = (
    f"Hi,\nMrs {NAME} in clinic today: asthma review, inhaler technique and spirometry.\n",
    f"Hi,\nThe patient, Mrs {NAME}, was seen in clinic with worsening asthma.\n",
)


@pytest.fixture()
def taught(detector: PatientDetector) -> Iterator[PatientDetector]:
    """The folder's detector, its learned entries put back to none afterwards."""
    yield detector
    detector.learned = lambda: NO_ENTRIES


def _names(detector: PatientDetector, body: str) -> list[str]:
    return [f.type for f in detector.detect(inspection(body)) if f.type == "PATIENT_NAME"]


@pytest.mark.parametrize("body", HELD)
@pytest.mark.parametrize(
    ("entries", "held"),
    [
        (NO_ENTRIES, True),
        (LearnedEntries(version=1, staff_names=(NAME,)), False),
        (
            LearnedEntries(version=1, staff_names=(f"Dr {NAME}",)),
            False,
        ),  # the title is dropped, as in the directory
        (LearnedEntries(version=1, public_figures=(NAME,)), False),
        (LearnedEntries(version=1, staff_names=("Rosalind Pemberton",)), True),  # someone else
        (
            LearnedEntries(version=1, allowed=frozenset({("PATIENT_NAME", NAME.lower())})),
            True,
        ),  # not the detector's
    ],
)
def test_accepted_entries_change_how_a_name_is_judged(
    taught: PatientDetector, body: str, entries: LearnedEntries, held: bool
) -> None:
    """A name accepted as staff or as a public figure is not a patient's; other entries leave it one."""
    taught.learned = lambda: entries
    assert _names(taught, body) == (["PATIENT_NAME"] if held else [])


def test_a_withdrawn_entry_stops_applying(taught: PatientDetector) -> None:
    """Once the entries no longer hold the name (a withdrawal), the next message is judged as before."""
    entries = LearnedEntries(version=1, public_figures=(NAME,))
    taught.learned = lambda: entries
    assert _names(taught, HELD[0]) == []
    entries = LearnedEntries(version=2)
    assert _names(taught, HELD[0]) == ["PATIENT_NAME"]
