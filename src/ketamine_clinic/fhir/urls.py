from django.urls import path

from . import views

app_name = "fhir"
urlpatterns = [
    path("", views.system, name="system"),
    path("metadata", views.metadata, name="metadata"),
    path("<str:resource_type>", views.type_level, name="type"),
    path("<str:resource_type>/<str:resource_id>", views.instance, name="instance"),
]
