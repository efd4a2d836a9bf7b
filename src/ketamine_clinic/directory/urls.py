from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("listing", views.listing, name="listing"),
    path("providers/", views.clinicians, name="clinicians"),
    path("providers/nppes", views.nppes_import, name="nppes_import"),
    path("providers/<uuid:user_id>/", views.profile, name="profile"),
    path("providers/<uuid:user_id>/save", views.profile_save, name="profile_save"),
    path("providers/<uuid:user_id>/licences", views.licence_save, name="licence_save"),
    path("providers/<uuid:user_id>/licences/<str:state>/remove", views.licence_remove, name="licence_remove"),
    path("providers/<uuid:user_id>/credentials", views.credential_add, name="credential_add"),
    path("providers/<uuid:user_id>/npi-registry", views.registry_lookup, name="registry_lookup"),
]
