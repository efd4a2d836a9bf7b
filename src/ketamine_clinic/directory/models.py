"""Provider profiles: a clinician's NPI, taxonomy codes, state licences, DEA registration and
credentials, and the NPPES snapshot they were cross-checked against."""

import uuid

from django.conf import settings
from django.db import models

from ketamine_clinic.accounts.models import Organization


class ProviderProfile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="provider_profiles")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_profile")
    npi = models.CharField("NPI", max_length=10, blank=True)
    taxonomy_codes = models.JSONField(default=list, blank=True, help_text="NUCC codes, the primary first")
    primary_taxonomy = models.CharField(max_length=10, blank=True)
    dea_number = models.CharField("DEA number", max_length=9, blank=True)
    dea_expires_on = models.DateField("DEA registration expires", null=True, blank=True)
    languages = models.JSONField(default=list, blank=True)
    nppes_snapshot = models.JSONField(null=True, blank=True, help_text="The NPPES record last imported for this NPI")
    nppes_imported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "npi"], condition=~models.Q(npi=""), name="profile_npi_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class ProviderLicence(models.Model):
    """A state licence to practise; one per state (a renewal replaces number and expiry)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(ProviderProfile, on_delete=models.PROTECT, related_name="licences")
    state = models.CharField(max_length=2)
    number = models.CharField(max_length=40)
    expires_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "state"], name="licence_one_per_state")]
        ordering = ["state"]


class ProviderCredential(models.Model):
    """A training certificate or board certification, e.g. a KAP training certificate."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(ProviderProfile, on_delete=models.PROTECT, related_name="credentials")
    title = models.CharField(max_length=150)
    issuer = models.CharField(max_length=150, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]


class ClinicListing(models.Model):
    """What a clinic publishes in the public finder. Nothing is public until ``published`` is set
    by the clinic admin (opt-in); the clinic's active locations with a known ZIP are listed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="listing")
    published = models.BooleanField(default=False)
    display_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    about = models.TextField(max_length=2000, blank=True)
    routes = models.JSONField(default=list, blank=True)
    indications = models.JSONField(default=list, blank=True)
    spravato_rems_certified = models.BooleanField(default=False)
    rems_certified_on = models.DateField(null=True, blank=True)
    rems_evidence = models.CharField(max_length=300, blank=True, help_text="e.g. the REMS enrollment confirmation e-mail")
    kap_offered = models.BooleanField("Ketamine-assisted psychotherapy (KAP)", default=False)
    telehealth_states = models.JSONField(default=list, blank=True)
    accepting_new_patients = models.BooleanField(default=True)
    insurance_networks = models.JSONField(default=list, blank=True)
    self_pay_min_usd = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    self_pay_max_usd = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    sliding_scale = models.BooleanField(default=False)
    languages = models.JSONField(default=list, blank=True)
    accessibility = models.JSONField(default=list, blank=True)
    good_faith_estimate_notice = models.TextField(max_length=3000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    def __str__(self) -> str:
        return self.display_name
