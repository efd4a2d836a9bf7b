"""The public finder's URLs (mounted at /find/, no sign-in)."""

from django.urls import path

from . import public_views

app_name = "finder"

urlpatterns = [
    path("", public_views.search, name="search"),
    path("clinics/<uuid:listing_id>/", public_views.clinic, name="clinic"),
]
