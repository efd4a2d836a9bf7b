"""Sign-ins, sign-outs and failed sign-ins go into the audit trail (without the password).

A password change (any path: allauth, reset link, shell) or a deactivation ends every API token
of the user.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, client_ip, record

from .models import ApiToken, User


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(Context(user=user, source_ip=client_ip(request)), Action.AUTH_LOGIN, obj=user, organization=user.organization)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Context(user=user, source_ip=client_ip(request)), Action.AUTH_LOGOUT, obj=user, organization=user.organization)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(Context(user=None, source_ip=client_ip(request)), Action.AUTH_LOGIN_FAILED, object_type="accounts.user", detail={"username": username})


@receiver(post_save, sender=User)
def _end_tokens_on_password_change_or_deactivation(sender, instance: User, created, **kwargs):
    password_changed = getattr(instance, "_password_changed", False)
    instance._password_changed = False
    if created or not (password_changed or not instance.is_active):
        return
    ended = ApiToken.objects.filter(user=instance, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if ended:
        why = "password changed" if password_changed else "account deactivated"
        record(Context(user=None), Action.AUTH_TOKENS_REVOKED, obj=instance, organization=instance.organization,
               detail={"count": ended, "why": why})
