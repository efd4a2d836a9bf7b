from django.urls import include, path

from ketamine_clinic.api import api
from ketamine_clinic.fhir import views as fhir_views
from ketamine_clinic.fhir import upload as fhir_upload
from ketamine_clinic.fhir.operations import views as fhir_operation_views
from ketamine_clinic.fhir.smart import views as fhir_smart_views
from ketamine_clinic.front import urls as front_urls

urlpatterns = [
    *front_urls.urlpatterns,  # Today ("home") and "healthz"
    path("accounts/", include("allauth.urls")),
    path("patients/", include(front_urls.patients_patterns)),
    path("portal/", include("ketamine_clinic.portal.urls")),
    path("screening/", include("ketamine_clinic.screening.urls")),
    path("assessments/", include("ketamine_clinic.outcomes.urls")),
    path("pharmacology/", include("ketamine_clinic.pharmacology.urls")),
    path("plans/", include("ketamine_clinic.plans.urls")),
    path("sessions/", include("ketamine_clinic.treatments.urls")),
    path("inventory/", include("ketamine_clinic.inventory.urls")),
    path("notes/", include("ketamine_clinic.notes.urls")),
    path("education/", include("ketamine_clinic.education.urls")),
    path("billing/", include("ketamine_clinic.billing.urls")),
    path("clinic-admin/", include(front_urls.clinic_admin_patterns)),
    path("directory/", include("ketamine_clinic.directory.urls")),
    path("find/", include("ketamine_clinic.directory.public_urls")),
    path("find/", include("ketamine_clinic.referrals.public_urls")),
    path("referrals/", include("ketamine_clinic.referrals.urls")),
    path("clinic-admin/audit/", include("ketamine_clinic.audit.urls")),
    path("api/v1/", api.urls),
    path("fhir/r4", fhir_views.system, name="fhir_base"),  # [base] itself takes the transaction Bundle
    path("fhir/r4/", include("ketamine_clinic.fhir.urls")),
    path("fhir/import/", fhir_upload.upload, name="fhir_import"),  # staff page: upload Synthea bundles
    path("fhir/smart-clients/", fhir_smart_views.clients, name="fhir_smart_clients"),  # admin: register SMART backend clients
    path("portal/my-record.json", fhir_operation_views.my_record, name="portal_my_record"),  # the portal patient's own FHIR record (fhir sits above portal)
]
