from django.urls import path

from . import views

# The plan-aware pages (a patient's measures, trajectory, due list, outcomes) are added by outcomes.urls.
app_name = "assessments"
urlpatterns = [
    path("portal/", views.portal_index, name="portal_index"),
    path("portal/done/<uuid:public_id>/", views.portal_done, name="portal_done"),
    path("portal/<str:key>/", views.portal_form, name="portal_form"),
    path("link/<str:token>/", views.link_form, name="link"),
    path("patients/<uuid:public_id>/enter/<str:key>/", views.staff_enter, name="enter"),
    path("patients/<uuid:public_id>/link/", views.create_link, name="create_link"),
    path("responses/<uuid:public_id>/", views.response_detail, name="response"),
    path("responses/<uuid:public_id>/amend/", views.response_amend, name="amend"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<uuid:public_id>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
]
