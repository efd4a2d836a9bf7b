"""The referral inbox (staff): mounted at /referrals/."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:referral_id>/", views.detail, name="detail"),
    path("<uuid:referral_id>/status", views.change_status, name="status"),
    path("<uuid:referral_id>/accept", views.accept, name="accept"),
    path("<uuid:referral_id>/letters/<uuid:letter_id>.pdf", views.letter_pdf, name="letter_pdf"),
    path("<uuid:referral_id>/letters/<str:letter_kind>", views.letter_generate, name="letter_generate"),
]
