from django.urls import path

from . import portal_views, views

app_name = "billing"
urlpatterns = [
    path("", views.index, name="index"),
    path("ar-ageing.csv", views.ageing_csv, name="ageing_csv"),
    path("setup/", views.setup, name="setup"),
    path("setup/<str:what>/", views.setup_write, name="setup_write"),
    path("sessions/<uuid:session_id>/propose/", views.propose, name="propose"),
    path("evaluations/<uuid:evaluation_id>/propose/", views.propose_evaluation, name="propose_evaluation"),
    path("visits/<uuid:visit_id>/", views.visit, name="visit"),
    path("visits/<uuid:visit_id>/lines/", views.line_add, name="line_add"),
    path("visits/<uuid:visit_id>/lines/<uuid:line_id>/edit/", views.line_edit, name="line_edit"),
    path("visits/<uuid:visit_id>/lines/<uuid:line_id>/remove/", views.line_remove, name="line_remove"),
    path("visits/<uuid:visit_id>/finalize/", views.finalize, name="finalize"),
    path("visits/<uuid:visit_id>/invoice/", views.issue_invoice, name="issue_invoice"),
    path("invoices/<uuid:invoice_id>/", views.invoice, name="invoice"),
    path("invoices/<uuid:invoice_id>/<str:kind>/", views.ledger, name="ledger"),
    path("invoices/<uuid:invoice_id>/receipts/<str:receipt_number>/", views.receipt, name="receipt"),
    path("patients/<uuid:patient_id>/", views.patient, name="patient"),
    path("patients/<uuid:patient_id>/superbill.pdf", views.superbill_file, name="superbill"),
    path("patients/<uuid:patient_id>/coverage/<uuid:coverage_id>/in-error/", views.coverage_in_error, name="coverage_in_error"),
    path("patients/<uuid:patient_id>/<str:what>/", views.patient_write, name="patient_write"),
    path("estimates/<uuid:estimate_id>.pdf", views.estimate_file, name="estimate_pdf"),
    path("portal/", portal_views.portal, name="portal"),
    path("portal/estimates/<uuid:estimate_id>.pdf", portal_views.portal_estimate, name="portal_estimate"),
    path("portal/superbill.pdf", portal_views.portal_superbill, name="portal_superbill"),
]
