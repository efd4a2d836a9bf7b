import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinical.eligibility import SCHEMA_VERSION
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.patients import services as pservices
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.screening import services
from ketamine_clinic.screening.models import IntakeEvaluation

from tests.support.people import ctx_for
from tests.support.screening import UNCONTROLLED_HYPERTENSION, approve, complete, evaluation_dict


def counts():
    return IntakeEvaluation.objects.count(), AuditEvent.objects.count(), TimelineEvent.objects.count()


def test_completed_evaluation_is_stored_normalized_versioned_and_audited(nurse, patient):
    data = evaluation_dict()
    data["indications"][0]["icd10cm_codes"] = ["f332"]
    ev = complete(nurse, patient, data)
    assert (ev.version, ev.status, ev.schema_version) == (1, "completed", SCHEMA_VERSION)
    assert ev.data["indications"][0]["icd10cm_codes"] == ["F33.2"] and ev.data["schema_version"] == SCHEMA_VERSION
    assert ev.is_current and ev.completed_by == nurse
    assert AuditEvent.objects.filter(action="evaluation.complete", object_id=str(ev.public_id)).exists()
    assert patient.timeline.filter(kind="evaluation", summary__contains="v1 completed").exists()


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda d: d.update(indications=[]), "indications"),
        (lambda d: d["medical_history"].update(hypertension=True), "medical_history.hypertension_controlled"),
        (lambda d: d["baseline_vitals"].update(systolic_mmhg=400), "baseline_vitals.systolic_mmhg"),
        (lambda d: d.update(weight_kg="heavy"), "weight_kg"),
        (lambda d: d["indications"][0].update(icd10cm_codes=["not a code"]), "indications[0].icd10cm_codes[0]"),
        (lambda d: d.update(surprise=True), "surprise"),
        (lambda d: d.pop("medical_history"), "medical_history"),
    ],
)
def test_bad_evaluation_gets_field_errors_and_writes_nothing(nurse, patient, mutate, field):
    data = evaluation_dict()
    mutate(data)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.save_evaluation(ctx_for(nurse), patient, data, complete=True)
    assert field in exc.value.errors and exc.value.errors[field][0]
    assert counts() == before


def test_non_object_evaluation_is_refused(nurse, patient):
    with pytest.raises(ValidationFailed):
        services.save_evaluation(ctx_for(nurse), patient, [1, 2], complete=True)


def test_new_completed_evaluation_supersedes_the_old_and_its_decisions(prescriber, patient):
    first = complete(prescriber, patient)
    approve(prescriber, patient, first, "iv")
    assert set(services.current_decisions(patient)) == {"iv"}
    second = complete(prescriber, patient, evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    first.refresh_from_db()
    assert second.version == 2 and second.is_current
    assert not first.is_current and first.superseded_by == second and first.superseded_at is not None
    assert IntakeEvaluation.objects.filter(patient=patient).count() == 2  # history kept
    assert services.current_decisions(patient) == {}  # decisions on the old evaluation no longer count
    assert services.current_evaluation(patient) == second


def test_draft_is_editable_until_completed_then_immutable(nurse, patient):
    ctx = ctx_for(nurse)
    draft = services.save_evaluation(ctx, patient, evaluation_dict(), complete=False)
    assert draft.is_draft and services.current_evaluation(patient) is None
    draft = services.save_evaluation(ctx, patient, evaluation_dict(seizures=True), complete=False, evaluation=draft, expected_revision=1)
    assert draft.revision == 2 and draft.data["medical_history"]["seizures"] is True
    with pytest.raises(Conflict):  # stale revision
        services.save_evaluation(ctx, patient, evaluation_dict(), complete=False, evaluation=draft, expected_revision=1)
    done = services.save_evaluation(ctx, patient, evaluation_dict(seizures=True), complete=True, evaluation=draft)
    assert done.pk == draft.pk and done.is_current
    with pytest.raises(Conflict):
        services.save_evaluation(ctx, patient, evaluation_dict(), complete=False, evaluation=done)


def test_only_one_open_draft_per_patient(nurse, patient):
    services.save_evaluation(ctx_for(nurse), patient, evaluation_dict(), complete=False)
    with pytest.raises(Conflict):
        services.save_evaluation(ctx_for(nurse), patient, evaluation_dict(), complete=False)


def test_completed_evaluations_are_never_deleted(nurse, patient):
    ev = complete(nurse, patient)
    with pytest.raises(RuntimeError):
        ev.delete()


def test_registry_prefill_maps_trials_medications_and_weight(nurse, patient):
    ctx = ctx_for(nurse)
    pservices.add_subrecord(ctx, patient, "trial", {"drug": "Sertraline", "dose_mg_per_day": "150", "weeks": "8", "adequate": "true", "outcome": "partial", "current_episode": "true"})
    pservices.add_subrecord(ctx, patient, "trial", {"drug": "Bupropion", "dose_mg_per_day": "300", "weeks": "4", "adequate": "false", "outcome": "intolerance", "current_episode": "false"})
    for name, cls in [("Adderall", "stimulant"), ("Lorazepam", "benzodiazepine"), ("Lithium", "lithium"), ("Amlodipine", "antihypertensive"), ("Zolpidem", "z_drug")]:
        pservices.add_subrecord(ctx, patient, "medication", {"name": name, "drug_class": cls})
    prefill = services.registry_prefill(patient)
    assert prefill["antidepressant_trials"] == [
        {"drug": "Sertraline", "dose_mg_per_day": 150.0, "weeks": 8.0, "adequate": True, "outcome": "partial_response", "in_current_episode": True},
        {"drug": "Bupropion", "dose_mg_per_day": 300.0, "weeks": 4.0, "adequate": False, "outcome": "not_tolerated", "in_current_episode": False},
    ]
    assert prefill["interacting_medications"] == ["benzodiazepine", "z_drug", "psychostimulant", "other"]
    assert prefill["weight_kg"] == 70.0


def test_therapist_reads_but_cannot_write_front_desk_cannot_read_outsider_sees_nothing(therapist, front_desk, nurse, outsider, patient):
    ev = complete(nurse, patient)
    patient_for_therapist = services.get_screening_patient(ctx_for(therapist), patient.public_id)
    assert list(services.evaluations_for(ctx_for(therapist), patient_for_therapist)) == [ev]
    with pytest.raises(PermissionDenied):
        services.save_evaluation(ctx_for(therapist), patient, evaluation_dict(), complete=True)
    with pytest.raises(PermissionDenied):
        services.get_screening_patient(ctx_for(front_desk), patient.public_id)
    with pytest.raises(NotFound):
        services.get_screening_patient(ctx_for(outsider), patient.public_id)


def test_check_eligibility_saves_nothing(therapist, patient):
    before = counts()
    result = services.check_eligibility(ctx_for(therapist), evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    assert result["iv"].outcome == "needs_prescriber_review"
    assert counts() == before


def test_baseline_measures_follow_the_indications():
    data = evaluation_dict()
    data["indications"].append({"indication": "ptsd", "icd10cm_codes": []})
    data["phq9_item9_baseline"] = 1
    measures = services.baseline_measures(data)
    assert [m["instrument"] for m in measures] == ["phq9", "pcl5", "cssrs"]
    assert all(m["recorded"] is False for m in measures)


def test_baseline_measures_show_the_recorded_score_once_entered(prescriber, nurse, patient):
    import datetime as dt

    from django.utils import timezone

    from ketamine_clinic.assessments import services as assessments
    from ketamine_clinic.screening import services as screening

    evaluation = complete(prescriber, patient)
    before = {m["instrument"]: m for m in screening.baseline_measures(evaluation.data, patient, evaluation.created_at)}
    assert before["phq9"]["recorded"] is False
    too_old = timezone.now() - dt.timedelta(days=45)
    answers = {f"phq9-{n}": 2 for n in range(1, 9)} | {"phq9-9": 0}
    assessments.submit_response(ctx_for(nurse), patient, "phq9", answers, mode="staff_paper", completed_at=too_old)
    assert screening.baseline_measures(evaluation.data, patient, evaluation.created_at)[0]["recorded"] is False
    assessments.submit_response(ctx_for(nurse), patient, "phq9", answers, mode="staff_paper")
    after = {m["instrument"]: m for m in screening.baseline_measures(evaluation.data, patient, evaluation.created_at)}
    assert after["phq9"]["recorded"] is True and after["phq9"]["total"] == 16
