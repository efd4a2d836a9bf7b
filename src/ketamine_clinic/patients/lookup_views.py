"""Type-ahead look-ups for the chart's forms: ICD-10-CM codes by code or description, and the drug
class a medication name belongs to. They return small HTML fragments for htmx to swap in; they
read reference data only, never a patient's record."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ketamine_clinic.clinical import icd10cm
from ketamine_clinic.clinical.medications import drug_class_for
from ketamine_clinic.web.access import staff_required

from .models import DrugClass

QUERY_MAX_CHARS = 100


@staff_required("patient.view")
@require_GET
def icd10cm_options(request):
    query = (request.GET.get("q") or request.GET.get("icd10_code") or "")[:QUERY_MAX_CHARS]
    return render(request, "patients/_icd10cm_options.html", {"codes": icd10cm.search(query)})


@staff_required("patient.view")
@require_GET
def drug_class_hint(request):
    name = (request.GET.get("name") or "")[:QUERY_MAX_CHARS]
    known = drug_class_for(name)
    if known is None:
        return HttpResponse('<span id="drug-class-hint"></span>')
    return render(request, "patients/_drug_class_hint.html", {"name": name, "label": DrugClass(known).label})
