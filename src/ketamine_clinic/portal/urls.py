from django.urls import path

from ketamine_clinic.education import views as education_views

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("appointments/<uuid:public_id>/request/", views.request_change, name="request_change"),
    path("education/<uuid:assignment_id>/", education_views.portal_page, name="education"),
    path("education/<uuid:assignment_id>/acknowledge/", education_views.portal_acknowledge, name="education_acknowledge"),
]
