from django.urls import path

from . import views
from .bulk import views as bulk_views
from .operations import views as operation_views
from .smart import views as smart_views

app_name = "fhir"
urlpatterns = [
    path("", views.system, name="system"),
    path("metadata", views.metadata, name="metadata"),
    # operations and bulk export, before the generic <type>/<id> routes that would swallow them
    path("$export", bulk_views.system_export, name="export"),
    path("Patient/$export", bulk_views.patient_export, name="patient_export"),
    path("Group/<str:group_id>/$export", bulk_views.group_export, name="group_export"),
    path("bulk-status/<str:job_id>", bulk_views.status, name="export_status"),
    path("bulk-files/<str:job_id>/<str:file_name>", bulk_views.download, name="export_file"),
    path("Patient/<str:resource_id>/$everything", operation_views.patient_everything, name="everything"),
    path(".well-known/smart-configuration", smart_views.smart_configuration, name="smart_configuration"),
    path("auth/token", smart_views.token, name="smart_token"),
    path("plan-net", views.plan_net, name="plan_net"),  # lower case: never a resource type's name
    path("<str:resource_type>", views.type_level, name="type"),
    path("<str:resource_type>/<str:resource_id>", views.instance, name="instance"),
]
