"""URLs of the composing pages. They keep the names they always had: the chart page joins the
``patients`` namespace and the settings pages join ``clinic_admin`` here, above both apps."""

from django.urls import path

from ketamine_clinic.accounts import urls as accounts_urls
from ketamine_clinic.patients import urls as patients_urls

from . import settings_views, views

patients_patterns = (
    [*patients_urls.urlpatterns, path("<uuid:public_id>/", views.patient_chart, name="chart")],
    patients_urls.app_name,
)
clinic_admin_patterns = (
    [
        *accounts_urls.urlpatterns,
        path("settings/", settings_views.settings_list, name="settings"),
        path("settings/<str:key>/", settings_views.settings_change, name="setting_change"),
    ],
    accounts_urls.app_name,
)
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
