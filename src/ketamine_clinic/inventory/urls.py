from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalog/", views.catalog, name="catalog"),
    path("receive/", views.receive, name="receive"),
    path("receipts/<uuid:public_id>/", views.receipt_labels, name="receipt_labels"),
    path("transfer/", views.transfer, name="transfer"),
    path("draw/", views.draw, name="draw"),
    path("draws/<uuid:public_id>/", views.draw_detail, name="draw_detail"),
    path("dispose/", views.dispose, name="dispose"),
    path("count/", views.count, name="count"),
    path("containers/<uuid:public_id>/", views.container, name="container"),
    path("events/<uuid:public_id>/correct", views.correct, name="correct"),
    path("discrepancies/<uuid:public_id>/", views.discrepancy, name="discrepancy"),
    path("deadlines/<uuid:public_id>/done", views.deadline_done, name="deadline_done"),
    path("reports/", views.report, name="reports"),
]
