"""A staff member's own contact details: the name, credentials, phone and email that forms such as
the Spravato REMS monitoring form print for the monitoring clinician."""

from django import forms
from django.db import transaction

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import ValidationFailed, form_errors

from .models import User


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Name as printed", max_length=150, required=False,
                                   help_text="Leave empty to use your first and last name.")
    credentials = forms.CharField(max_length=60, required=False, help_text="e.g. MD, NP, RN, LCSW")
    phone = forms.CharField(label="Work phone", max_length=40, required=False)
    email = forms.EmailField(label="Work email", max_length=254, required=False)

    FIELDS = ("display_name", "credentials", "phone", "email")

    @classmethod
    def for_user(cls, user: User) -> "ProfileForm":
        return cls(initial={name: getattr(user, name) for name in cls.FIELDS})


def update_own_profile(ctx: Context, data) -> User:
    """Staff edit only their own contact details; each change is audited with the fields changed."""
    user = ctx.user
    if not getattr(user, "is_staff_member", False):
        raise ValidationFailed({"profile": ["Only staff members have a staff profile."]})
    form = ProfileForm(data=data)
    if not form.is_valid():
        raise ValidationFailed(form_errors(form))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = [name for name in ProfileForm.FIELDS if getattr(locked, name) != form.cleaned_data[name]]
        for name in changed:
            setattr(locked, name, form.cleaned_data[name])
        if changed:
            locked.save(update_fields=changed)
            record(ctx, Action.USER_PROFILE_UPDATE, obj=locked, organization=locked.organization, detail={"fields": changed})
    for name in changed:
        setattr(user, name, getattr(locked, name))
    return locked
