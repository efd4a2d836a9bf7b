"""Who may open a page: signed-in staff whose role allows the action, else a 403 page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ketamine_clinic.accounts.permissions import MATRIX, has_permission


def forbidden(request, action: str):
    return render(request, "core/forbidden.html", {"reason": MATRIX[action][1]}, status=403)


def staff_required(*actions: str):
    """Signed-in staff of an organization whose role allows any of ``actions``; else 403 (with a page)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_staff_member or not any(has_permission(request.user, a) for a in actions):
                return forbidden(request, actions[0])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
