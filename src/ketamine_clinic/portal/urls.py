from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("appointments/<uuid:public_id>/request/", views.request_change, name="request_change"),
]
