"""Authentication backends that load the signed-in user for a request in one query.

Every page and API call starts by reading its user. Django's own backends read the user, then the
middleware reads the user's organization (inactivity timeout), default location (time zone) and
roles (permissions), one query each. These read the user with the organization and location joined
and the roles aggregated by a subquery: one query. Roles are still read on every request, never
kept in the session, so a role taken away counts on the user's next request.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery

from ketamine_clinic.core.prepared import Prepared

from .models import RoleAssignment, User

ROLE_SEPARATOR = ","  # role values are identifiers (``Role``): never contain it


class RoleList(Aggregate):
    """The roles of one user as one string (``GROUP_CONCAT`` on SQLite, ``STRING_AGG`` on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="%(function)s(%(expressions)s, ',')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, ',')",
                              **extra)


def with_role_list(users: QuerySet) -> QuerySet:
    """``users`` annotated with their roles as one string; ``keep_roles`` then fills ``role_set``."""
    roles = (RoleAssignment.objects.filter(user_id=OuterRef("pk")).order_by().values("user_id")
             .annotate(roles=RoleList("role")).values("roles"))
    return users.annotate(role_list=Subquery(roles, output_field=CharField()))


def keep_roles(user: User) -> User:
    """Set what ``User.role_set`` would read from the annotated ``role_list`` (no query later)."""
    user.remember_roles(user.role_list.split(ROLE_SEPARATOR) if user.role_list else ())
    return user


# Compiled once per process (core.prepared): every signed-in request runs it.
_USER_WITH_ROLES = Prepared(
    lambda user_id: with_role_list(User._default_manager.select_related("organization", "default_location")).filter(pk=user_id))


def user_with_roles(user_id) -> User | None:
    """The user with organization, default location and roles, in one query; None if there is none."""
    found = _USER_WITH_ROLES(int(user_id)).fetch()
    return keep_roles(found[0]) if found else None


class OneQueryUser:
    """``get_user`` for either backend: Django's checks (active user), on the one-query read."""

    def get_user(self, user_id):
        try:
            user = user_with_roles(user_id)
        except (ValueError, TypeError):  # a session holding a malformed id: nobody signed in
            return None
        return user if user is not None and self.user_can_authenticate(user) else None


class ClinicModelBackend(OneQueryUser, ModelBackend):
    """Django's username and password backend (the test client's ``force_login`` uses the first)."""


class ClinicAllauthBackend(OneQueryUser, AuthenticationBackend):
    """allauth's sign-in backend (rate limits, its login flow)."""
