"""The pages that compose several apps: Today, the patient chart page, the clinic-settings pages,
the navigation, the middleware and the health check. Nothing below imports this package."""
