"""QuestionnaireResponse (base R4; US Core 6.1.0's QuestionnaireResponse profile is for SDC forms and
is not claimed) over submitted questionnaire responses (``assessments``), under ``assessment.view``.

Each answered item carries the answer the way the Questionnaire export offers it (the coded option,
a boolean, or the bare score for scores-only scales); the total is the read-only total item.
``questionnaire`` is the canonical of the served Questionnaire with the version answered. Drafts are
never served. status: completed, or amended for an amendment (the earlier one stays completed).
"""

from django.db.models.functions import Coalesce

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.assessments.models import QuestionnaireResponse, ResponseMode, ResponseStatus
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical.instruments.fhir import fhir_id

from .. import codes
from ..search import SearchParam, datetime_q
from .base import ID_PARAM, PATIENT_PARAM, ResourceType, audited_read, patient_ref, searched

STAFF_MODES = (ResponseMode.STAFF_PAPER, ResponseMode.CLINICIAN)


def questionnaire_url(instrument_key: str) -> str:
    """The served Questionnaire's ``url`` (``resources.questionnaire`` serves the export without a base)."""
    return ci.to_fhir_questionnaire(instrument_key)["url"]


def _answer(item, value) -> dict:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    option = next((o for o in item.options if o.value == value and not isinstance(o.value, bool)), None)
    if option is None or option.label is None:
        return {"valueInteger": int(value)}  # scores-only scale: the score, no licensed wording
    coding = {"system": codes.LOINC, "code": option.loinc, "display": option.label} if option.loinc else {"code": str(int(value)), "display": option.label}
    return {"valueCoding": coding}


def _items(response: QuestionnaireResponse) -> list[dict]:
    instrument = ci.get_instrument(response.instrument_key)
    items = []
    for item in instrument.items:
        if item.link_id not in response.answers or response.answers[item.link_id] is None:
            continue
        entry = {"linkId": item.link_id}
        if item.text is not None:
            entry["text"] = item.text
        entry["answer"] = [_answer(item, response.answers[item.link_id])]
        items.append(entry)
    if instrument.has_total and response.total is not None:
        items.append({"linkId": f"{instrument.key}-total", "text": "Total score", "answer": [{"valueInteger": response.total}]})
    return items


def to_fhir(response: QuestionnaireResponse) -> dict:
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.public_id),
        "questionnaire": f"{questionnaire_url(response.instrument_key)}|{response.instrument_version}",
        "status": "amended" if response.amends_id else "completed",
        "subject": patient_ref(response.patient),
        "authored": (response.completed_at or response.submitted_at).isoformat(),
        "item": _items(response),
    }
    if response.mode in STAFF_MODES and response.entered_by_id:
        resource["author"] = {"reference": f"Practitioner/{response.entered_by.public_id}"}
    else:
        resource["source"] = patient_ref(response.patient)  # the patient answered (portal, tablet, link)
    return resource


def _rows(organization_id):
    """The clinic's submitted responses (never drafts), unpermissioned: ``_scoped`` checks the actor first."""
    return (QuestionnaireResponse.objects.filter(organization_id=organization_id, status=ResponseStatus.SUBMITTED)
            .select_related("patient", "entered_by").annotate(authored_at=Coalesce("completed_at", "submitted_at")))


def _scoped(ctx):
    require(ctx.user, "assessment.view")
    return _rows(ctx.user.organization_id)


def of_patient(patient):
    return _rows(patient.organization_id).filter(patient=patient).order_by("-authored_at", "-id")


def read(ctx, resource_id):
    return audited_read(ctx, _scoped(ctx), resource_id, "QuestionnaireResponse")


def _questionnaire(qs, value, ctx):
    """The canonical (with or without ``|version``), ``Questionnaire/phq9`` or ``phq9``."""
    wanted = value.split("|", 1)[0].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    keys = [key for key in ci.INSTRUMENTS if fhir_id(key) == wanted]
    return qs.filter(instrument_key__in=keys)


PARAMS = {p.name: p for p in (
    ID_PARAM,
    PATIENT_PARAM,
    SearchParam("questionnaire", "reference", _questionnaire, "The Questionnaire's canonical, Questionnaire/<id> or <id> (e.g. phq9)"),
    SearchParam("authored", "date", lambda qs, v, ctx: qs.filter(**datetime_q("authored_at", v)), "Day answered (prefixes eq, ge, gt, le, lt)"),
)}


def search(ctx, pairs):
    qs = _scoped(ctx).order_by("-authored_at", "-id")
    qs = searched(qs, pairs, ctx)
    return qs, None


TYPE = ResourceType(name="QuestionnaireResponse", profiles=(), params=PARAMS, to_fhir=to_fhir, read=read, search=search, of_patient=of_patient,
                    documentation="Submitted questionnaire responses (never drafts), answers as the Questionnaire export codes them")
