from django.urls import path

from . import views

app_name = "education"
urlpatterns = [
    path("", views.library, name="library"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("patient/<uuid:patient_id>/send/", views.assign, name="assign"),
]
