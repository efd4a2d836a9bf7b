from django.urls import path

from . import profile_views, views

# The clinic-settings pages (``clinic_admin:settings``, ``:setting_change``) are added by front.urls.
app_name = "clinic_admin"
urlpatterns = [
    path("", views.admin_index, name="index"),
    path("security/", views.security_settings, name="security"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/roles/", views.user_roles, name="user_roles"),
    path("users/<uuid:public_id>/active/", views.user_active, name="user_active"),
    path("users/<uuid:public_id>/email/", views.user_email, name="user_email"),
    path("users/<uuid:public_id>/password-reset/", views.user_password_reset, name="user_password_reset"),
    path("users/<uuid:public_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("token/", views.my_token, name="token"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("profile/", profile_views.my_profile, name="profile"),
]
