from ketamine_clinic.accounts.permissions import has_permission

# Sections listed in the navigation: (key, label, URL name, action needed to see it).
NAV = [
    ("today", "Today", "home", None),
    ("patients", "Patients", "patients:list", "patient.view"),
    ("sessions", "Sessions", "treatments:index", "session.view"),
    ("schedule", "Schedule", "plans:schedule", "schedule.view"),
    ("alerts", "Alerts", "assessments:alerts", "assessment.view"),
    ("measures", "Measures due", "assessments:due", "assessment.view"),
    ("outcomes", "Outcomes", "assessments:outcomes", "outcomes.view"),
    ("planner", "Dose planner", "pharmacology:planner", "pk.use"),
    ("inventory", "Inventory", "inventory:index", "inventory.view"),
    ("education", "Education", "education:library", "education.view"),
    ("directory", "Providers", "directory:clinicians", "directory.view"),
    ("referrals", "Referrals", "referrals:inbox", "referrals.view"),
    ("billing", "Billing", "billing:index", "billing.view_codes"),
    ("admin", "Admin", "clinic_admin:index", "org.manage"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {"nav_items": []}
    items = []
    for key, label, url_name, action in NAV:
        if action and not (has_permission(user, action) or (key == "admin" and has_permission(user, "audit.view"))):
            continue
        items.append({"key": key, "label": label, "url_name": url_name})
    return {"nav_items": items}
