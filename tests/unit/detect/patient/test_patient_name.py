"""Patients' names are found in clinical passages; staff, correspondents, eponyms and invented patients are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    "body",
    [
        "I'd like to present Mr Alfred Penhaligon, 78, admitted with a GI bleed on Monday.",
        "Remember the lady on the stroke unit, Mrs Winifred Cass? She passed away this morning.",
        "Sat in clinic with a lovely man called Mr Osric Templeton who was diagnosed with Parkinson's last year.",
        "Mrs Dunmore in bed 12 is septic again, can you chase her cultures?",
        "Patient: Mrs Hester Quayle, seen on the ward round, for discharge tomorrow.",
        "Pt: Ambrose Fenwick - chest pain, troponin pending.",
        "I'm attaching the photo of Mrs Dorothy Penhallow's leg ulcer for your opinion.",
        "Baby Amelia Rourke on NICU is doing much better, off CPAP today!",
        "The lady I looked after on the cardiology ward lives on our street! Mrs Ivy Dunstable at number 12.",
        "The patient, Cedric Wallingford, was admitted overnight with pneumonia.",
        "Penhaligon in bed 4 needs his bloods before 8.",
        "Bed 7 - Quayle - new AF, on the monitor.",
        "Incident form: fall at 02:40 in Bay C. Patient: Mrs B. Okonkwo, 91, possible hip fracture.",
        "Referral. Patient surname: Wojcikowska. Age: 7. Reason: safeguarding review.",
        "Admitted: 02/03/2026. D/C: 06/03/2026. Name: Cathal Brennock. Dx: pancreatitis.",
    ],
)
def test_found_in_prose(detector, body: str) -> None:
    """Titled names, labelled names, names beside a bed and named patients in clinical sentences are found."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_NAME")
    assert f.score >= 0.5 and "[PATIENT_NAME]" in f.evidence


def test_name_field_among_patient_details(detector) -> None:
    """A "Name:" field counts when patient details (a date of birth, a number) sit beside it."""
    body = "Referral\nName: Doris Pennywhistle\nDOB: 03/04/1944\nReason: memory clinic"
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME")
    clerking = "PC: SOB\nPMH: COPD\nName: Mabel Thistlewood\nAge: 81\nWard: 22"
    assert pf.found(detector, pf.inspection(clerking), "PATIENT_NAME")
    form = "Name: Robin Ashcombe\nCourse: MBChB\nPlacement: acute medicine"
    assert not pf.found(detector, pf.inspection(form), "PATIENT_NAME")


def test_ward_list(detector) -> None:
    """Given name + SURNAME rows of a clinical table are patient names, each counted."""
    seg = Segment(
        "Bed\tName\tAge\tIssue\n1\tMaud PELLINGHAM\t84\tfall\n2\tErnest WATCHETT\t71\tCAP\n3\tLETTICE, Agnes\t90\tUTI",
        "attachment:list.xlsx/Sheet1",
        kind="attachment",
    )
    (f,) = pf.found(detector, pf.inspection("tomorrow's list", segments=[seg]), "PATIENT_NAME")
    assert f.details.get("count") == 3


def test_name_with_identifier(detector) -> None:
    """An identifier next to a name is evidence: it lifts a name that would not count on its own."""
    with_number = f"Mrs Quayle, NHS no {pf.nhs_number('485')}, for the diabetes review."
    without = "Mrs Quayle, for the diabetes review."
    (f,) = pf.found(detector, pf.inspection(with_number), "PATIENT_NAME")
    assert f.score >= 0.7 and "identifier nearby" in f.details["reasons"]
    assert not pf.found(detector, pf.inspection(without), "PATIENT_NAME")


def test_titled_full_name_in_clinical_sentence(detector) -> None:
    """A courtesy title, a full name and a clinical sentence are enough, with no other cue."""
    assert pf.found(detector, pf.inspection("Mrs Hester Quayle, for the diabetes review."), "PATIENT_NAME")


def test_titled_names_without_ner(detector_without_ner) -> None:
    """Without the NER model, titled names in clinical sentences are still found."""
    body = "Mrs Dunmore in bed 12 is septic again, can you chase her cultures?"
    assert pf.found(detector_without_ner, pf.inspection(body), "PATIENT_NAME")


@pytest.mark.parametrize(
    "body",
    [
        # staff, teachers and speakers
        "Dr Imelda Stroud's lecture on heart failure moved to LT3; Prof Okonjo covers the ward round.",
        "Suturing night with Mr Cormac Doyle (consultant colorectal surgeon) in the skills centre.",
        "Guest speaker Ms Petra Lindahl from the hospital patient advice service talks on Thursday.",
        "I scrubbed in on Mr Hartigan's list today, he let me close the wound.",
        "Sister Agnes Moody showed us how to do the drug round on the ward.",
        "In attendance: Ms Veena Rao (Programme Manager). Ms Rao presented the draft plan for placements.",
        "I was assisting Mr Imran Caddick in theatre today for a lap chole.",
        "Clinic with Mrs Olwen Tregarth this afternoon, she let me examine two patients.",
        "Mrs Jones next door died last week, the funeral is on Friday.",
        "Dr Gupta and Mr Harrington are running the fracture clinic on Tuesday; bring your logbooks.",
        "Reminder: Mr Quigley (Consultant Urologist) is teaching catheterisation on Friday in the skills lab.",
        # eponyms
        "Revision list: Parkinson's disease, Crohn's, Hodgkin lymphoma, Addison's, Cushing's syndrome.",
        "Flashcards: Murphy's sign, Virchow's triad, Bell's palsy, Guillain-Barre syndrome, Graves' disease.",
        # fictional, anonymised and historical patients
        "Station 4: you are Mr X, a 55-year-old driver with chest pain. Station 5: Mrs Y, 62, new diabetes.",
        "Consider Mrs A, an 88-year-old widow who declines admission for her heart failure.",
        "Our case was a 69-year-old man who presented with dysphagia and weight loss.",
        "Quiz: whose cells became the HeLa line in 1951? Henrietta Lacks. Who was the first heart transplant patient? Louis Washkansky.",
        "Phineas Gage survived an iron rod through the frontal lobe in 1848.",
        # the person written to, on a greeting line that runs on
        "Dear Mrs Featherby, could the pharmacy team share anonymised warfarin discharge figures for the audit?",
        # an invented record on a poster
        'Training slide: "Mr Test Patient, 99, admitted with sepsis" is a made-up record.',
    ],
)
def test_traps(detector, body: str) -> None:
    """Staff, speakers, surgeons' lists, eponyms, role-play, hypothetical and historical patients: no name."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME")


def test_role_play_scripts(detector) -> None:
    """Names under a role-play or OSCE heading are invented patients; a real admission nearby is not."""
    scripts = (
        "Practice scripts for Sunday\n\nStation 2 (8 minutes)\nMrs Gloria Hatch, 58, has had a cough for three "
        "weeks and has lost weight.\n\nStation 3\nMr Terence Oakes, 71, presents with ankle swelling."
    )
    assert not pf.found(detector, pf.inspection(scripts))
    real = (
        "Can't wait for the OSCEs to be over!\n\nAnyway, Mrs Hester Quayle in bed 3 was admitted last night."
    )
    assert pf.found(detector, pf.inspection(real), "PATIENT_NAME")


def test_osce_document(detector) -> None:
    """A practice-case document is read as invented, from its title."""
    seg = Segment(
        "OSCE practice case - history station\nPatient: Mr Walter Brindle, 64\nPresenting complaint: chest pain",
        "attachment:OSCE practice.docx",
        kind="attachment",
    )
    assert not pf.found(detector, pf.inspection("here you go", segments=[seg]))


def test_writers_cv(detector) -> None:
    """The writer's own CV (their name at the top, placements and grades) names no patient."""
    cv = (
        "Robin Ashcombe - Curriculum Vitae\nDate of birth: 12 April 2003. Address: 41 Elm Avenue, Northam NM3 9GX.\n"
        "A levels: Biology A*, Chemistry A*, Maths A.\nClinical placements: Northam General Hospital "
        "(cardiology), Fenwick Community Hospital (care of the elderly)."
    )
    seg = Segment(cv, "attachment:CV.docx", kind="attachment")
    assert not pf.found(detector, pf.inspection("CV attached", segments=[seg]))


def test_greeting_and_signoff(detector) -> None:
    """Names in the greeting and the signature are not patients, even in a clinical message."""
    body = (
        "Dear Mrs Fairley,\n\nThank you for the teaching on the ward round about the patient with sepsis.\n\n"
        "Kind regards,\nRobin Ashcombe\nYear 4 medical student"
    )
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME")


def test_correspondents(detector) -> None:
    """The sender's and recipients' names are never patients."""
    insp = pf.inspection(
        "Mr Marlowe, the patient in bed 3 was admitted overnight, I clerked him with Kit.",
        to=[("Kit Marlowe", "kit.marlowe99@gmail.com")],
    )
    assert not pf.found(detector, insp, "PATIENT_NAME")


def test_staff_directory(tmp_path: Path) -> None:
    """Names in the configured staff directory are never patients."""
    directory = tmp_path / "staff.txt"
    directory.write_text("# staff\nDr Imelda Stroud\nTobias Venning\n", encoding="utf-8")
    det = PatientDetector(PatientDetectorOptions(staff_directory=str(directory), ner=False))
    det.load()
    body = "Mr Tobias Venning admitted me to the ward round today, the patient in bed 3 was septic."
    assert not pf.found(det, pf.inspection(body), "PATIENT_NAME")


def test_staff_named_once_is_staff_everywhere(detector) -> None:
    """Once the message names someone as staff, the same name is staff in the rest of the message."""
    body = "Dr Kavanagh did the teaching.\n\nAfterwards Mrs Kavanagh was on the ward round with the patients."
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME")


def test_evidence_masks_the_name(detector) -> None:
    """Evidence shows the title and context, never the name."""
    (f,) = pf.found(detector, pf.inspection("Mrs Dunmore in bed 12 is septic again."), "PATIENT_NAME")
    assert "Dunmore" not in f.evidence
