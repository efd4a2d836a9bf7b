"""FHIR Bulk Data Access ``$export`` (async pattern): kick-off, status, files, cancel."""
