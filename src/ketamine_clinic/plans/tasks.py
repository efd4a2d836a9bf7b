"""Background tasks of the plans app (django-tasks, database backend). Each is safe to run twice.

``send_appointment_reminder`` is defined with the service that sends and queues it
(``services.reminders``), so that module needs nothing that imports it back; it is named here too
because tasks queued before it moved are stored under this path.
"""

from .services.reminders import send_appointment_reminder

__all__ = ["send_appointment_reminder"]
