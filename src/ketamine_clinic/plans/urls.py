from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/locations/<uuid:public_id>/", views.location_setup, name="location_setup"),
    path("protocols/", views.protocols, name="protocols"),
    path("protocols/<str:key>/", views.protocol_detail, name="protocol"),
    path("protocols/<str:key>/edit/", views.protocol_edit, name="protocol_edit"),
    path("patients/<uuid:public_id>/", views.patient_plans, name="patient"),
    path("patients/<uuid:public_id>/new/", views.plan_new, name="new"),
    path("patients/<uuid:public_id>/book/", views.appointment_new, name="book"),
    path("patients/<uuid:public_id>/calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", views.ics_feed, name="ics"),
    path("appointments/<uuid:public_id>/", views.appointment_detail, name="appointment"),
    path("requests/<uuid:public_id>/handled/", views.appointment_request_handled, name="request_handled"),
    path("appointments/<uuid:public_id>/reschedule/", views.appointment_reschedule, name="reschedule"),
    path("appointments/<uuid:public_id>/<str:outcome>/", views.appointment_end, name="appointment_end"),
    path("proposals/<uuid:public_id>/<str:decision>/", views.proposal_decide, name="proposal"),
    path("<uuid:public_id>/", views.plan_detail, name="plan"),
    path("<uuid:public_id>/activate/", views.plan_activate, name="activate"),
    path("<uuid:public_id>/status/", views.plan_status, name="status"),
    path("<uuid:public_id>/dose/", views.plan_dose, name="dose"),
    path("<uuid:public_id>/relapse/", views.plan_relapse, name="relapse"),
]
