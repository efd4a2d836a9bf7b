"""The staff upload page for Synthea bundles (issue 18 §5): the same importer as
``ketamine-clinic fhir import``, for one or more files. Every file is read and checked first, then all
are imported in one transaction: a bad file is named and nothing is written."""

import json

from django import forms
from django.db import transaction
from django.shortcuts import render

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import PermissionDenied, ServiceError, error_text
from ketamine_clinic.web.access import staff_required

from .importer import ImportReport, import_bundle

MAX_FILE_BYTES = 10 * 1024 * 1024  # operational limit: the sample Synthea bundles are 0.2-0.4 MB; larger goes through the CLI
MAX_FILES = 50
INFRASTRUCTURE = ("hospitalInformation", "practitionerInformation")  # referred to by the patient bundles: first


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            raise forms.ValidationError("Choose at least one bundle file.", code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    files = MultipleFileField(label="Synthea R4 bundle files (.json; several at once: hospital and practitioner bundles are loaded first)")


def read_bundles(files) -> list[tuple[str, dict]]:
    """(name, bundle) per file, infrastructure first; ServiceError naming the first bad file."""
    if len(files) > MAX_FILES:
        raise ServiceError(f"At most {MAX_FILES} files at once (use `ketamine-clinic fhir import DIR` for more).")
    bundles = []
    for upload in files:
        if upload.size > MAX_FILE_BYTES:
            raise ServiceError(f"{upload.name}: {upload.size // 1024} KB is over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit per file.")
        try:
            bundle = json.loads(upload.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ServiceError(f"{upload.name}: not a JSON file.") from None
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise ServiceError(f"{upload.name}: not a FHIR Bundle.")
        bundles.append((upload.name, bundle))
    return sorted(bundles, key=lambda pair: (not pair[0].startswith(INFRASTRUCTURE), pair[0]))


def import_uploads(ctx, files) -> ImportReport:
    """All the files or none (one transaction); the report counts per type imported and unmapped."""
    bundles, report = read_bundles(files), ImportReport()
    with transaction.atomic():
        for name, bundle in bundles:
            import_bundle(ctx, bundle, report, source=name)
        record(ctx, Action.FHIR_IMPORT_UPLOAD, object_type="fhir.import", organization=ctx.user.organization,
               detail={"files": [name for name, _ in bundles], "imported": dict(report.imported), "unmapped": dict(report.unmapped)})
    return report


@staff_required("patient.edit_clinical")
def upload(request):
    form, report, error, status = UploadForm(), None, None, 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = import_uploads(Context.from_request(request), form.cleaned_data["files"])
            except PermissionDenied as exc:
                error, status = str(exc), 403
            except ServiceError as exc:
                error, status = f"Nothing was imported. {error_text(exc)}", 400
        else:
            status = 400
    rows = [{"type": t, "seen": report.seen[t], "imported": report.imported[t], "unmapped": report.unmapped[t],
             "skipped": report.skipped[t]} for t in sorted(report.seen)] if report else []
    return render(request, "fhir/import.html", {"form": form, "report": report, "rows": rows, "error": error}, status=status)
