"""Test support shared by the whole suite, loaded through ``pytest_plugins`` in ``tests/conftest.py``.

- ``people``: the password, patient demographics, ``make_user`` and ``ctx_for`` (plain helpers);
- ``fixtures``: one clinic (org, location, one user per role, a patient, a portal user) and the outsider clinic;
- ``factories``: factory-boy factories for organizations, locations, staff, portal users, patients and chart records;
- ``api``: the ``api`` fixture, calling /api/v1 with a bearer token;
- ``screening``, ``plans``, ``treatments``, ``assessments``: builders and fixtures of each app's tests;
- ``outsider``: the outsider sweep, run per app by ``tests/<app>/test_outsider.py``.

Production imports stay few and in these modules, so that moving a production module means editing here.
"""
