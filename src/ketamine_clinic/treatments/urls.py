from django.urls import path

from . import views

app_name = "treatments"
urlpatterns = [
    path("", views.board_default, name="index"),
    path("board/<uuid:location_id>/", views.board, name="board"),
    path("new/", views.session_new, name="new"),
    path("rems/", views.rems_list, name="rems_list"),
    path("rems/<uuid:public_id>/", views.rems_detail, name="rems_detail"),
    path("rems/<uuid:public_id>/pdf/", views.rems_pdf, name="rems_pdf"),
    path("<uuid:public_id>/", views.session_detail, name="detail"),
    path("<uuid:public_id>/live/", views.session_live, name="live"),
    path("<uuid:public_id>/checklist/", views.checklist_update, name="checklist"),
    path("<uuid:public_id>/bp-decision/", views.bp_decision, name="bp_decision"),
    path("<uuid:public_id>/cssrs-decision/", views.cssrs_decision, name="cssrs_decision"),
    path("<uuid:public_id>/vitals/", views.vitals_add, name="vitals"),
    path("<uuid:public_id>/events/", views.event_add, name="event"),
    path("<uuid:public_id>/dose/", views.dose_start, name="dose"),
    path("<uuid:public_id>/devices/", views.device_add, name="device"),
    path("<uuid:public_id>/rate/", views.rate_change, name="rate"),
    path("<uuid:public_id>/stop/", views.dose_stop, name="stop"),
    path("<uuid:public_id>/alerts/<uuid:alert_id>/acknowledge/", views.alert_ack, name="alert_ack"),
    path("<uuid:public_id>/discharge/", views.discharge, name="discharge"),
    path("<uuid:public_id>/end/", views.end_session, name="end"),
    path("<uuid:public_id>/drafts/<str:form_key>/", views.draft_save, name="draft"),
    path("<uuid:public_id>/tablet-link/", views.tablet_link, name="tablet_link"),
    path("<uuid:public_id>/instructions/", views.instructions, name="instructions"),
]
