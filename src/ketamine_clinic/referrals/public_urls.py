"""The public referral forms (mounted at /find/ beside the clinic finder, no sign-in)."""

from django.urls import path

from . import public_views

app_name = "referrals_public"

urlpatterns = [
    path("refer/", public_views.refer_index, name="index"),
    path("clinics/<uuid:listing_id>/refer/", public_views.refer, name="refer"),
    path("clinics/<uuid:listing_id>/request/", public_views.request_appointment, name="request"),
]
