from django.urls import path

from . import views

app_name = "fhir"
urlpatterns = [
    path("", views.system, name="system"),
    path("metadata", views.metadata, name="metadata"),
    path("plan-net", views.plan_net, name="plan_net"),  # lower case: never a resource type's name
    path("<str:resource_type>", views.type_level, name="type"),
    path("<str:resource_type>/<str:resource_id>", views.instance, name="instance"),
]
