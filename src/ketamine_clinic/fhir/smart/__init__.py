"""SMART Backend Services (client credentials with a signed JWT, ``private_key_jwt``) for /fhir/r4."""
