"""People set in the past by the passage (centuries, eras, old years, discoveries) are history, not patients."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

# invented figures, on no list: only the framing tells
HISTORY = [
    (
        "a century",
        "In the 18th century Obadiah Thrale treated scurvy with lemons and most of his crew survived.",
    ),
    (
        "an era",
        "For the essay: Prudence Arkwright was a Victorian mill girl who died of consumption at nineteen.",
    ),
    ("an old year", "In 1866 Josiah Kettleby caught cholera from the Broad Lane pump and died within a day."),
    ("a decade", "Back in the 1890s Cornelius Fane was admitted to the asylum with general paresis."),
    ("life dates", "Ebenezer Holt (1801-1867) had gout so bad that he could not walk for years."),
    (
        "a discovery",
        "Augustina Pell first described the rash that now carries her name, in leprosy patients.",
    ),
    ("the first to", "Bartholomew Rusk was the first surgeon to perform a successful kidney transplant."),
    ("a war", "During the First World War, Wilfred Amery was treated for shell shock at Craiglockhart."),
]


@pytest.mark.parametrize(("kind", "body"), HISTORY, ids=[k for k, _ in HISTORY])
def test_historical_frame(detector, kind: str, body: str) -> None:
    """A person no list knows, in a historical frame, is not reported as a patient."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME"), kind


# the same kinds of words, in the present: still patients
PRESENT = [
    ("a birth year is no history", "Gwendolyn Price, born 1950, was admitted with pneumonia last night."),
    ("met first-hand", "We saw Obadiah Thrale in clinic this morning, he has been diagnosed with scurvy."),
    ("a discovery of one's own", "Karen discovered a lump in her breast and is having a biopsy on Friday."),
    (
        "another clause's past",
        "Our Victorian terrace is being gutted by the builders, but Ottilie Brandt's biopsy came back abnormal.",
    ),
    ("today beats a year", "Ebenezer Holt, who fought in 1982, was admitted today with a heart attack."),
]


@pytest.mark.parametrize(("kind", "body"), PRESENT, ids=[k for k, _ in PRESENT])
def test_present_frame(detector, kind: str, body: str) -> None:
    """A birth year, a first-hand encounter or a present-day marker keeps the person a patient."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME"), kind
