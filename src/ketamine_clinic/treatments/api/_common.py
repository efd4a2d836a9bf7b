"""What the handlers share: the actor's context and the session, read with everything an answer shows."""

from ketamine_clinic.audit.services import Context

from .. import services

TIME = "ISO 8601 date-time; without an offset it is read in the location's time zone; empty = now"


def ctx_of(request) -> Context:
    return Context.from_request(request)


def detailed_session(request, session_id, action="session.view"):
    session = services.get_session_for(ctx_of(request), session_id, action)
    return services.with_details(type(session).objects.filter(pk=session.pk)).get()


def run_on_session(request, session_id, service, data: dict, *args):
    """``service(ctx, session, *args, data)`` on a session the caller may run: the pages call the same."""
    return service(ctx_of(request), detailed_session(request, session_id, "session.run"), *args, data)
