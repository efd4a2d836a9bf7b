"""``flush`` for the test runner: on SQLite the audit tables refuse DELETE, which is how Django
empties SQLite tables between transactional tests. Under the test settings the guard is lifted
for the flush and put back; anywhere else the audit tables keep refusing (flush fails)."""

from django.conf import settings
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from ketamine_clinic.audit.guard import guard_lifted


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if settings.TESTING and connection.vendor == "sqlite":
            with guard_lifted(connection):
                return super().handle(**options)
        return super().handle(**options)
