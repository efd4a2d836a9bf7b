"""The view and API toolkit every app's pages and REST handlers use.

It sits just above ``patients`` and below the domain apps: it imports ``core``, ``accounts``,
``audit`` and ``patients`` only.

- ``access``: ``staff_required(*actions)`` and ``forbidden(request, action)`` (the 403 page);
- ``middleware.ServiceErrorMiddleware``: a service error a view lets through becomes its page
  (NotFound 404, PermissionDenied 403, others their 4xx) or, for a JSON request, the API's JSON;
- ``refusals``: ``error_body(exc)`` (the one ``{"detail", "errors"}`` shape), ``refusal_text(exc)``,
  ``flash_refusal(request, exc, prefix)``, ``attempt(request, call, refused=...)`` for one-button POSTs;
- ``forms``: ``with_errors(form, errors)``, ``bound(form_class, data, errors)``;
- ``api``: ``form_data(payload)``, a request schema as the form data the services validate.
"""
