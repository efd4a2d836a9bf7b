"""What the handlers share: the actor's context and the session, read with everything an answer shows."""

from ketamine_clinic.audit.services import Context

from ketamine_clinic.web.api import form_data

from .. import services
from .answers import session_out

TIME = "ISO 8601 date-time; without an offset it is read in the location's time zone; empty = now"


def ctx_of(request) -> Context:
    return Context.from_request(request)


def detailed_session(request, session_id, action="session.view"):
    session = services.get_session_for(ctx_of(request), session_id, action)
    return services.with_details(type(session).objects.filter(pk=session.pk)).get()


def run_on_session(request, session_id, service, data: dict, *args):
    """``service(ctx, session, *args, data)`` on a session the caller may run: the pages call the same."""
    return service(ctx_of(request), detailed_session(request, session_id, "session.run"), *args, data)


def session_after(request, session_id, service, payload) -> dict:
    """Run ``service`` with the body as form data on a session the caller may run; the session as it is now."""
    s = run_on_session(request, session_id, service, form_data(payload))
    return session_out(detailed_session(request, s.public_id))
