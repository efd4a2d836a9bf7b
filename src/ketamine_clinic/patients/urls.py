from django.urls import path

from . import lookup_views, views

# The chart page itself (``patients:chart``) composes several apps: front.urls adds it.
app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_register, name="register"),
    path("lookup/icd10cm/", lookup_views.icd10cm_options, name="lookup_icd10cm"),
    path("lookup/drug-class/", lookup_views.drug_class_hint, name="lookup_drug_class"),
    path("<uuid:public_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:public_id>/history/", views.patient_history, name="history"),
    path("<uuid:public_id>/care-team/", views.care_team_edit, name="care_team"),
    path("<uuid:public_id>/no-known-allergies/", views.no_known_allergies, name="no_known_allergies"),
    path("<uuid:public_id>/results/<uuid:record_id>/report/", views.result_attachment, name="result_attachment"),
    path("<uuid:public_id>/<str:kind>/new/", views.subrecord_add, name="subrecord_add"),
    path("<uuid:public_id>/<str:kind>/<uuid:record_id>/correct/", views.subrecord_correct, name="subrecord_correct"),
    path("<uuid:public_id>/<str:kind>/<uuid:record_id>/status/", views.subrecord_status, name="subrecord_status"),
]
