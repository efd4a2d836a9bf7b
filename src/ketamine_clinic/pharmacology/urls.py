from django.urls import path

from . import views

app_name = "pharmacology"
urlpatterns = [path("planner/", views.planner, name="planner")]
