"""Who may open a page: signed-in staff whose role allows the action, else a 403 page.

The toolkit sits just above the kernel, below accounts, so every app's views may use it: it asks
the signed-in user object (``may``, ``action_label``, defined by accounts' User) instead of
importing the permission matrix."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def forbidden(request, action: str):
    label = getattr(request.user, "action_label", None)  # an anonymous visitor has no role to name
    reason = label(action) if label else "Sign in as clinic staff."
    return render(request, "core/forbidden.html", {"reason": reason}, status=403)


def staff_required(*actions: str):
    """Signed-in staff of an organization whose role allows any of ``actions``; else 403 (with a page)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_staff_member or not any(request.user.may(a) for a in actions):
                return forbidden(request, actions[0])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
