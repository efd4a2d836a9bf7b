from django.urls import include, path

from ketamine_clinic.api import api
from ketamine_clinic.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("patients/", include("ketamine_clinic.patients.urls")),
    path("portal/", include("ketamine_clinic.portal.urls")),
    path("screening/", include("ketamine_clinic.screening.urls")),
    path("assessments/", include("ketamine_clinic.assessments.urls")),
    path("pharmacology/", include("ketamine_clinic.pharmacology.urls")),
    path("plans/", include("ketamine_clinic.plans.urls")),
    path("sessions/", include("ketamine_clinic.treatments.urls")),
    path("billing/", include("ketamine_clinic.billing.urls")),
    path("clinic-admin/", include("ketamine_clinic.accounts.urls")),
    path("clinic-admin/audit/", include("ketamine_clinic.audit.urls")),
    path("api/v1/", api.urls),
]
