"""The demo clinic (synthetic data). This package's root imports no Django, so the command line
can name the demo password before Django is set up."""

DEMO_PASSWORD = "ketamine-demo-2026"
