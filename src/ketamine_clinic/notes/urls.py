from django.urls import path

from . import views

app_name = "notes"
urlpatterns = [
    path("patient/<uuid:patient_id>/", views.patient_notes, name="patient"),
    path("patient/<uuid:patient_id>/new/", views.new_note, name="new"),
    path("patient/<uuid:patient_id>/psychotherapy/", views.psychotherapy_notes, name="psychotherapy"),
    path("psychotherapy/<uuid:psychotherapy_note_id>/", views.psychotherapy_note, name="psychotherapy_note"),
    path("psychotherapy/<uuid:psychotherapy_note_id>/disclose/", views.psychotherapy_disclose, name="psychotherapy_disclose"),
    path("psychotherapy/<uuid:psychotherapy_note_id>/revoke/", views.psychotherapy_revoke, name="psychotherapy_revoke"),
    path("psychotherapy/disclosed/", views.disclosed_to_me, name="disclosed_to_me"),
    path("psychotherapy/<uuid:psychotherapy_note_id>/disclosed/", views.disclosed_note, name="disclosed_note"),
    path("templates/", views.templates, name="templates"),
    path("templates/<str:template_kind>/", views.template_edit, name="template_edit"),
    path("<uuid:note_id>/", views.note_detail, name="note"),
    path("<uuid:note_id>/draft/", views.draft_save, name="draft"),
    path("<uuid:note_id>/sign/", views.sign, name="sign"),
    path("<uuid:note_id>/cosign/", views.cosign, name="cosign"),
    path("<uuid:note_id>/addendum/", views.addendum, name="addendum"),
    path("<uuid:note_id>/pdf/", views.note_pdf, name="pdf"),
]
