"""Questionnaire: the clinic's instruments, through the existing export (``clinical.instruments.fhir``).
US Core 6.1.0 has no Questionnaire profile (it profiles QuestionnaireResponse only)."""

from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical.instruments.fhir import fhir_id
from ketamine_clinic.core.errors import NotFound

from ..search import SearchParam
from .base import ResourceType

BY_ID = {fhir_id(key): key for key in ci.INSTRUMENTS}


def read(ctx, resource_id):
    if resource_id not in BY_ID:
        raise NotFound("No such Questionnaire.")
    return BY_ID[resource_id]


def search(ctx, pairs):
    keys = sorted(BY_ID.values())
    for param, value in pairs:
        keys = param.apply(keys, value, ctx)
    return keys, None


PARAMS = {p.name: p for p in (
    SearchParam("_id", "token", lambda keys, v, ctx: [k for k in keys if fhir_id(k) in v.split(",")], "The instrument id, e.g. phq9"),
)}

TYPE = ResourceType(name="Questionnaire", profiles=(), params=PARAMS, to_fhir=ci.to_fhir_questionnaire, read=read, search=search)
