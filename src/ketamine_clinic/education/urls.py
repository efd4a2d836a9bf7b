from django.urls import path

from . import views

app_name = "education"
urlpatterns = [
    path("", views.library, name="library"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("pages/<slug:slug>/edit/", views.edit_page, name="edit"),
    path("pages/<slug:slug>/versions/<int:version>/", views.page, name="version"),
    path("patient/<uuid:patient_id>/send/", views.assign, name="assign"),
    # The patient's own pages (portal): signed-in portal users only; staff are sent home.
    path("mine/<uuid:assignment_id>/", views.portal_page, name="portal_page"),
    path("mine/<uuid:assignment_id>/acknowledge/", views.portal_acknowledge, name="portal_acknowledge"),
]
