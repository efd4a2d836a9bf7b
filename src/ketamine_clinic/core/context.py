from ketamine_clinic.accounts.permissions import has_permission

# Sections listed in the navigation. ``ready`` is False for sections other modules will bring;
# they are shown greyed out and labelled, never as working links.
NAV = [
    ("today", "Today", "home", None, True),
    ("patients", "Patients", "patients:list", "patient.view", True),
    ("sessions", "Sessions", "treatments:index", "session.view", True),
    ("schedule", "Schedule", "plans:schedule", "schedule.view", True),
    ("alerts", "Alerts", "assessments:alerts", "assessment.view", True),
    ("measures", "Measures due", "assessments:due", "assessment.view", True),
    ("outcomes", "Outcomes", "assessments:outcomes", "outcomes.view", True),
    ("planner", "Dose planner", "pharmacology:planner", "pk.use", True),
    ("admin", "Admin", "clinic_admin:index", "org.manage", True),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {"nav_items": []}
    items = []
    for key, label, url_name, action, ready in NAV:
        if action and not (has_permission(user, action) or (key == "admin" and has_permission(user, "audit.view"))):
            continue
        items.append({"key": key, "label": label, "url_name": url_name, "ready": ready})
    return {"nav_items": items}
