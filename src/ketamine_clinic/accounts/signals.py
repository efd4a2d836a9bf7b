"""Sign-ins, sign-outs and failed sign-ins go into the audit trail (without the password)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ketamine_clinic.audit.services import Context, client_ip, record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(Context(user=user, source_ip=client_ip(request)), "auth.login", obj=user, organization=user.organization)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Context(user=user, source_ip=client_ip(request)), "auth.logout", obj=user, organization=user.organization)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(Context(user=None, source_ip=client_ip(request)), "auth.login_failed", object_type="accounts.user", detail={"username": username})
