"""Pages that compose several apps: Today, the patient chart page, and the health check."""

import functools

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.accounts.backends import keep_roles, with_role_list
from ketamine_clinic.accounts.models import User
from ketamine_clinic.core import batch, request_memo, sections
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.patients.services import patients_for
from ketamine_clinic.patients.timeline import chart_timeline_read, visible_timeline
from ketamine_clinic.patients.views import SUBRECORD_TITLES


# The care team with each member's roles (the chart shows them): compiled once (core.prepared).
_CARE_TEAM = Prepared(lambda patient_id: with_role_list(User.objects.filter(care_team_patients=patient_id)))


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the database is down: say so, with no detail
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def shared_reads(view):
    """Run a composing page inside a ``request_memo`` scope: its sections share what they load (the
    clinic's settings, the chart's lists) instead of each reading it again. GET pages only."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with request_memo.scope():
            return view(request, *args, **kwargs)
    return wrapper


@login_required
@shared_reads
def home(request):
    """The Today screen: patient search, the sections apps register on "today", recent chart activity."""
    user = request.user
    if user.is_portal_patient:
        return redirect("portal:home")
    if not user.is_staff_member:
        return render(request, "front/no_organization.html", status=403)
    ctx = Context.from_request(request)
    recent = (
        visible_timeline(user, TimelineEvent.objects.filter(patient__in=patients_for(ctx)))
        .select_related("patient", "actor")
        .order_by("-occurred_at")[:15]
    )
    return render(request, "front/today.html", {"recent_events": recent, "patient_count": patients_for(ctx).count(),
                                                "sections": sections.shown("today", request)})


@staff_required("patient.view")
@shared_reads
def patient_chart(request, public_id):
    """The chart page: the patient's record, then the sections apps register on "chart" (URL name ``patients:chart``)."""
    ctx = Context.from_request(request)
    patient = patient_services.get_patient_for(ctx, public_id)
    own = {  # the page's own lists, read with the sections' lists in one statement
        **patient_services.chart_reads(patient),
        ("front.care_team", patient.pk): _CARE_TEAM(patient.pk),
        ("front.timeline", patient.pk): chart_timeline_read(request.user, patient),
    }
    shown = sections.shown("chart", request, patient, also=own)
    read = batch.lists(own)  # already read: the memo's lists
    context = {
        "patient": patient,
        "measurement": patient_services.current_measurement(patient),
        **patient_services.chart_records(patient),
        "care_team": [keep_roles(user) for user in read[("front.care_team", patient.pk)]],
        "timeline": read[("front.timeline", patient.pk)],
        "age": patient.age_on(patient_today(patient)),
        "can_edit_demographics": has_permission(request.user, "patient.edit_demographics"),
        "can_edit_clinical": has_permission(request.user, "patient.edit_clinical"),
        "can_view_history": has_permission(request.user, "patient.view_history"),
        "can_plan_dose": has_permission(request.user, "pk.use"),
        "subrecord_titles": SUBRECORD_TITLES,
        "sections": shown,
    }
    return render(request, "front/chart.html", context)
