"""Demo data for scheduling: opening hours and chairs/rooms, through the services (audited)."""

from ketamine_clinic.audit.services import Context

from . import scheduling

DEMO_HOURS = {"monday": "08:00-18:00", "tuesday": "08:00-18:00", "wednesday": "08:00-18:00",
              "thursday": "08:00-18:00", "friday": "08:00-18:00"}
DEMO_RESOURCES = (("Chair 1", "chair"), ("Chair 2", "chair"), ("Chair 3", "chair"), ("Therapy room", "room"))


def seed_schedule(admin_ctx: Context, locations) -> None:
    """Give each location weekday hours (closed at weekends: no session is booked then), three
    infusion chairs and a therapy room."""
    for location in locations:
        if location.resources.exists():
            continue
        scheduling.set_opening_hours(admin_ctx, location, DEMO_HOURS)
        for name, kind in DEMO_RESOURCES:
            scheduling.add_resource(admin_ctx, location, {"name": name, "kind": kind})
