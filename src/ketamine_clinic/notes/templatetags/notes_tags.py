from django import template

from ketamine_clinic.accounts.permissions import has_permission

register = template.Library()


@register.simple_tag
def session_note_kind(user, session) -> str:
    """The note kind a session's record pre-fills for this user ("" when they write no medical notes);
    the session screen offers "Write the session note" with it."""
    if not has_permission(user, "note.write_medical"):
        return ""
    return "esketamine" if session.route == "esketamine_nasal" else "administration"
