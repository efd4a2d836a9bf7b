"""The plan-aware measurement pages keep their ``assessments:`` names and paths: they join that
namespace here, above assessments, plans and treatments."""

from django.urls import path

from ketamine_clinic.assessments import urls as assessments_urls

from . import views

app_name = assessments_urls.app_name
urlpatterns = [
    *assessments_urls.urlpatterns,
    path("patients/<uuid:public_id>/", views.patient_assessments, name="patient"),
    path("patients/<uuid:public_id>/trajectory/", views.trajectory_page, name="trajectory"),
    path("due/", views.due_list, name="due"),
    path("outcomes/", views.outcomes, name="outcomes"),
]
