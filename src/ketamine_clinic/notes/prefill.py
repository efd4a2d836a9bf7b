"""Pre-filling a note from a treatment session: the order, dose given, times, vitals, scores, side
effects, events and discharge, each fact with the entry it comes from (type, public id, link).

The facts are read from the recorded session, never from what a form claims. The note keeps them
as a list of facts pointing at their source entries (shown under "From the record" with links),
and drafts the matching sections' text, which the clinician edits before signing. An entry marked
entered-in-error is left out.
"""

from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.treatments.models import EntryStatus, TreatmentSession

# The section each group of facts drafts, by template section key (a clinic template without the
# section keeps the facts in "From the record" only).
SECTION_FOR = {"order": "order_and_dose", "dose": "order_and_dose", "times": "times", "vitals": "monitoring",
               "score": "monitoring", "event": "side_effects", "discharge": "discharge"}
KAP_SECTION_FOR = {"order": "dose", "dose": "dose", "times": "dose", "vitals": "baseline", "discharge": "post_session"}


def _local(session, value) -> str:
    return timezone.localtime(value, session.location.tz).strftime("%Y-%m-%d %H:%M") if value else "—"


def _fact(group: str, label: str, value: str, source_type: str, source_id, url: str) -> dict:
    return {"group": group, "label": label, "value": value, "source_type": source_type, "source_id": str(source_id), "source_url": url}


def _vitals_text(r) -> str:
    parts = []
    if r.systolic_mmhg and r.diastolic_mmhg:
        parts.append(f"BP {r.systolic_mmhg}/{r.diastolic_mmhg} mmHg")
    for label, value, unit in (("HR", r.heart_rate_per_min, "/min"), ("SpO2", r.spo2_percent, "%"),
                               ("RR", r.respiratory_rate_per_min, "/min"), ("T", r.temperature_c, " °C")):
        if value is not None:
            parts.append(f"{label} {value}{unit}")
    return ", ".join(parts) or "—"


def session_facts(session: TreatmentSession) -> list[dict]:
    url = reverse("treatments:detail", args=[session.public_id])
    sid = session.public_id
    facts = [
        _fact("order", "Order", f"{session.route_label}, {session.dose_amount.normalize():f} {session.dose_unit} "
              f"({session.product_name}), ordered by {session.ordered_by.name}", "treatment session", sid, url),
        _fact("times", "Checked in", _local(session, session.checked_in_at), "treatment session", sid, url),
    ]
    if session.dose_mg is not None:
        facts.append(_fact("dose", "Dose given", f"{session.dose_mg} mg", "treatment session", sid, url))
    administration = getattr(session, "administration", None)  # the reverse one-to-one, when dosing started
    if administration is not None:
        facts.append(_fact("dose", "Administration", f"{administration.product_name}, lot {administration.lot_number}, "
                           f"given by {administration.given_by.name}", "administration", administration.public_id, url))
    for device in session.devices.all():
        facts.append(_fact("dose", "Device", f"{_local(session, device.given_at)}, lot {device.lot_number}", "device dose", device.public_id, url))
    for label, value in (("Dosing started", session.dosing_started_at), ("Dosing ended", session.dosing_ended_at)):
        if value:
            facts.append(_fact("times", label, _local(session, value), "treatment session", sid, url))
    for reading in session.vitals.filter(status=EntryStatus.ACTIVE).order_by("observed_at"):
        facts.append(_fact("vitals", f"Vitals {_local(session, reading.observed_at)[11:]} ({reading.phase})", _vitals_text(reading),
                           "vitals reading", reading.public_id, url))
    for entry in session.entries.filter(status=EntryStatus.ACTIVE).order_by("occurred_at"):
        group = "score" if entry.score is not None and entry.kind in ("cadss", "moaas") else "event"
        facts.append(_fact(group, f"{entry.get_kind_display()} {_local(session, entry.occurred_at)[11:]}", entry.summary,
                           "monitoring entry", entry.public_id, url))
    if session.discharged_at:
        facts.append(_fact("discharge", "Discharged", f"{_local(session, session.discharged_at)} by "
                           f"{session.discharged_by.name if session.discharged_by else '—'}"
                           f"{', escort present' if session.escort_present else ''}", "treatment session", sid, url))
    return facts


def drafted_sections(kind: str, facts: list[dict]) -> dict[str, str]:
    """Section key -> a draft text listing the facts that belong there (the clinician edits it)."""
    mapping = KAP_SECTION_FOR if kind.startswith("kap_") else SECTION_FOR
    texts: dict[str, list[str]] = {}
    for fact in facts:
        key = mapping.get(fact["group"])
        if key:
            texts.setdefault(key, []).append(f"{fact['label']}: {fact['value']}")
    return {key: "\n".join(lines) for key, lines in texts.items()}
