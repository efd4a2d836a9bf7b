"""FHIR operations on the facade: Patient ``$everything`` (``everything``)."""
