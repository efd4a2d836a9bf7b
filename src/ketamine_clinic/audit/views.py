import csv
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketamine_clinic.core.db_router import report_db, report_reads
from ketamine_clinic.web.access import staff_required

from .actions import Action
from .queries import patients_by_public_id, search_events
from .services import Context, record
from .verify import verify_chain

CSV_COLUMNS = ["event", "time", "time_zone", "time_utc", "user", "roles", "action", "object_type", "object_id",
               "patient_name", "patient_mrn", "patient_id", "source_ip"]


def _attach_patients(user, events, using=None):
    named = patients_by_public_id(user.organization_id, [e.patient_id for e in events], using=using)
    for event in events:
        event.patient = named.get(event.patient_id)
    return events


@staff_required("audit.view")
def audit_log(request):
    """Clinic admins browse their organization's events, filtered by patient, user, action and date."""
    with report_reads(request):  # on the read replica when one is configured
        search = search_events(request.user, request.GET)
        if request.GET.get("format") == "csv" and not search.errors:
            return _csv(request, search)
        page = Paginator(search.events, 50).get_page(request.GET.get("page"))
        _attach_patients(request.user, page.object_list)
    for event in page.object_list:
        # formatted here: the template's date filter would convert to the server's zone again
        event.local_time = timezone.localtime(event.occurred_at, search.zone).strftime("%Y-%m-%d %H:%M:%S %Z")
    chain = verify_chain(settings.AUDIT_CHECKPOINT_DIR or None) if request.GET.get("verify") else None
    query = urlencode({k: v for k, v in search.filters.items() if v})
    return render(request, "audit/log.html", {
        "page": page, "filters": search.filters, "errors": search.errors, "chain": chain,
        "zone": search.zone.key, "query": query,
    })


def _safe_cell(value) -> str:
    """Spreadsheet programs run a cell that starts with = + - @ as a formula: quote it."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _csv(request, search):
    record(Context.from_request(request), Action.AUDIT_EXPORT, organization=request.user.organization,
           detail={"filters": {k: v for k, v in search.filters.items() if v}})
    writer = csv.writer(_Echo())

    events = search.events.using(report_db(request))  # streamed after the view returns: named alias

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        batch = []
        for event in events.iterator(chunk_size=500):
            batch.append(event)
            if len(batch) == 500:
                yield from _csv_rows(writer, request.user, batch, search.zone)
                batch = []
        yield from _csv_rows(writer, request.user, batch, search.zone)

    stamp = timezone.localtime(timezone.now(), search.zone).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _csv_rows(writer, user, events, zone):
    for e in _attach_patients(user, events, using=events[0]._state.db if events else None):
        local = timezone.localtime(e.occurred_at, zone)
        yield writer.writerow([_safe_cell(v) for v in (
            e.id, local.strftime("%Y-%m-%d %H:%M:%S %Z"), zone.key, e.occurred_at.isoformat(timespec="seconds"),
            e.actor_username, e.actor_roles, e.action, e.object_type, e.object_id,
            e.patient.display_name if e.patient else "", e.patient.mrn if e.patient else "", e.patient_id,
            e.source_ip,
        )])
