from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("patients/<uuid:public_id>/", views.overview, name="overview"),
    path("patients/<uuid:public_id>/evaluations/new/", views.evaluation_new, name="evaluation_new"),
    path("patients/<uuid:public_id>/evaluations/<uuid:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path("patients/<uuid:public_id>/evaluations/<uuid:evaluation_id>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("patients/<uuid:public_id>/decisions/sign/", views.decision_sign, name="decision_sign"),
    path("patients/<uuid:public_id>/consent/<str:route>/", views.consent, name="consent"),
    path("patients/<uuid:public_id>/consents/<uuid:consent_id>/witness/", views.consent_witness, name="consent_witness"),
    path("patients/<uuid:public_id>/consents/<uuid:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("patients/<uuid:public_id>/rems/", views.rems, name="rems"),
    path("patients/<uuid:public_id>/rems/<uuid:enrollment_id>/withdraw/", views.rems_withdraw, name="rems_withdraw"),
    path("consent-documents/", views.documents, name="documents"),
    path("consent-documents/<str:route>/edit/", views.document_edit, name="document_edit"),
    path("portal/intake/", views.portal_intake, name="portal_intake"),
    path("portal/consents/", views.portal_consents, name="portal_consents"),
]
