"""Consent: the clinic's consent documents (versioned), whether a signed consent counts, and
signing, witnessing and revoking."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, require_own_clinic
from ketamine_clinic.patients.models import Patient

from .. import forms as sforms
from ..consent_defaults import DEFAULT_DOCUMENTS, TEMPLATE_NOTICE
from ..models import Consent, ConsentDocument
from ._common import _check_signed_name, _local_date, _require_own, _timeline, _validate

NOT_WITNESSED = "signed but not yet witnessed by staff"


def _route(value) -> Route:
    try:
        return Route(value)
    except ValueError:
        raise ValidationFailed({"route": [f"Unknown route {value!r}; one of {', '.join(r.value for r in Route)}."]}) from None


def consent_document(organization, route: Route | str) -> ConsentDocument:
    """The clinic's current consent text for a route; seeds the shipped template the first time."""
    route = Route(route)
    doc = ConsentDocument.objects.filter(organization=organization, route=route.value).order_by("-version").first()
    if doc is not None:
        return doc
    title, body = DEFAULT_DOCUMENTS[route]
    try:
        with transaction.atomic():
            doc = ConsentDocument.objects.create(
                organization=organization, route=route.value, version=1, title=title, body=body, is_template=True,
                change_note="Default template shipped with the software; " + TEMPLATE_NOTICE[len("TEMPLATE — "):],
            )
            record(None, Action.CONSENT_DOCUMENT_SEED, obj=doc, organization=organization, detail={"route": route.value})
    except IntegrityError:  # another request seeded it first
        doc = ConsentDocument.objects.filter(organization=organization, route=route.value).order_by("-version").first()
    return doc


def consent_documents(ctx: Context) -> list[ConsentDocument]:
    org = ctx.user.organization
    return [consent_document(org, r) for r in Route]


def update_consent_document(ctx: Context, route, data: dict) -> ConsentDocument:
    """An edit is a new version; earlier versions stay (patients signed them)."""
    require(ctx.user, "consent.manage_documents")
    route = _route(route)
    cleaned = _validate(sforms.ConsentDocumentForm, data)
    org = ctx.user.organization
    current = consent_document(org, route)
    if cleaned["title"] == current.title and cleaned["body"] == current.body.strip():
        raise ValidationFailed({"body": ["Nothing changed: edit the text or the title."]})
    try:
        with transaction.atomic():
            doc = ConsentDocument.objects.create(
                organization=org, route=route.value, version=current.version + 1, title=cleaned["title"],
                body=cleaned["body"], is_template=False, requires_reconsent=cleaned["requires_reconsent"],
                change_note=cleaned["change_note"], created_by=ctx.user,
            )
            record(ctx, Action.CONSENT_DOCUMENT_UPDATE, obj=doc, organization=org,
                   detail={"route": route.value, "version": doc.version, "requires_reconsent": doc.requires_reconsent})
    except IntegrityError:
        raise Conflict("Someone else saved a new version in the meantime; reload and try again.") from None
    return doc


_FLOORS = Prepared(lambda organization_id: ConsentDocument.objects.filter(organization_id=organization_id, requires_reconsent=True)
                   .values("route").annotate(v=Max("version")).order_by("route"))


def floors_read(organization_id) -> dict:
    """Per route, the newest document version that requires a new signature (for ``core.batch``;
    compiled once per process)."""
    return {("screening.reconsent_floors", organization_id): _FLOORS(organization_id)}


def reconsent_floors(organization_id) -> dict[str, int]:
    """Per route, the lowest document version a consent must be on to count."""
    (rows,) = batch.lists(floors_read(organization_id)).values()
    return {r["route"]: r["v"] for r in rows}


def consent_problem(consent: Consent, floor: int) -> str:
    """'' when the consent counts, else why not."""
    if consent.revoked_at:
        return f"revoked on {_local_date(consent.revoked_at, consent.patient):%Y-%m-%d} ({consent.revocation_reason})"
    if consent.document.version < floor:
        return f"signed on consent version {consent.document.version}; version {floor} needs a new signature"
    if consent.witnessed_at is None:
        return NOT_WITNESSED
    return ""


def sign_consent(ctx: Context, patient: Patient, route, data: dict, *, via: str) -> Consent:
    """The patient signs the current consent for a route: in clinic (staff witness at once) or in
    the portal (witnessed by staff later)."""
    route = _route(route)
    if via == Consent.Via.CLINIC:
        require(ctx.user, "consent.witness")
        require_own_clinic(ctx.user, patient.organization_id, "patient")
    elif via == Consent.Via.PORTAL:
        _require_own(ctx, patient)
    else:
        raise ValueError(f"unknown signing channel {via!r}")
    cleaned = _validate(sforms.ConsentSignForm, data)
    _check_signed_name(patient, cleaned["signed_name"])
    document = consent_document(patient.organization, route)
    seen = (data or {}).get("document")
    if seen and str(seen) != str(document.public_id):
        raise Conflict("The consent text changed since it was opened; read the current version and sign again.")
    now = timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        if Consent.objects.filter(patient=patient, document=document, revoked_at__isnull=True).exists():
            raise Conflict(f"This consent ({document.title}, version {document.version}) is already signed.")
        consent = Consent.objects.create(
            patient=patient, document=document, route=route.value, signed_name=cleaned["signed_name"], signed_at=now,
            signed_ip=ctx.source_ip, signed_via=via, recorded_by=ctx.user,
            witnessed_by=ctx.user if via == Consent.Via.CLINIC else None,
            witnessed_at=now if via == Consent.Via.CLINIC else None,
        )
        detail = {"route": route.value, "document_version": document.version, "via": via,
                  "witnessed": consent.witnessed_at is not None}
        record(ctx, Action.CONSENT_SIGN, obj=consent, patient=patient, organization=patient.organization, detail=detail)
        how = "in clinic, witnessed" if via == Consent.Via.CLINIC else "in the portal, awaiting a witness"
        _timeline(ctx, patient, "consent", f"Consent for {route.label} signed ({how})")
    return consent


def _consent(patient: Patient, consent_id) -> Consent:
    try:
        return Consent.objects.select_for_update().select_related("document").get(patient=patient, public_id=consent_id)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such consent for this patient.") from None


def witness_consent(ctx: Context, patient: Patient, consent_id) -> Consent:
    require(ctx.user, "consent.witness")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    with transaction.atomic():
        consent = _consent(patient, consent_id)
        if consent.revoked_at:
            raise Conflict("This consent was revoked.")
        if consent.witnessed_at:
            raise Conflict("This consent is already witnessed.")
        consent.witnessed_by, consent.witnessed_at = ctx.user, timezone.now()
        consent.save(update_fields=["witnessed_by", "witnessed_at"])
        record(ctx, Action.CONSENT_WITNESS, obj=consent, patient=patient, organization=patient.organization, detail={"route": consent.route})
        _timeline(ctx, patient, "consent", f"Consent for {consent.route_label} witnessed")
    return consent


def revoke_consent(ctx: Context, patient: Patient, consent_id, data: dict, *, by_patient: bool = False) -> Consent:
    """Staff record a revocation, or the patient revokes in the portal. Kept, never deleted."""
    if by_patient:
        _require_own(ctx, patient, "No such consent for this patient.")
    else:
        require(ctx.user, "consent.witness")
        require_own_clinic(ctx.user, patient.organization_id, "patient")
    cleaned = _validate(sforms.RevokeForm, data)
    with transaction.atomic():
        consent = _consent(patient, consent_id)
        if consent.revoked_at:
            raise Conflict("This consent was already revoked.")
        consent.revoked_at, consent.revoked_by, consent.revocation_reason = timezone.now(), ctx.user, cleaned["reason"]
        consent.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        record(ctx, Action.CONSENT_REVOKE, obj=consent, patient=patient, organization=patient.organization,
               detail={"route": consent.route, "by_patient": by_patient})
        _timeline(ctx, patient, "consent", f"Consent for {consent.route_label} revoked" + (" by the patient" if by_patient else ""))
    return consent
