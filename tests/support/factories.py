"""factory-boy factories for the models most tests need. Organizations, locations and users are plain
rows; patients and chart records go through the patients services (as a clinic would), so they get
their MRN, revision history and audit events. ``registered_by``/``recorded_by`` is the acting user."""

import factory
from factory.django import DjangoModelFactory

from ketamine_clinic.accounts.models import Location, Organization, RoleAssignment, User
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import Patient

from .people import PASSWORD, PATIENT_DATA, ctx_for


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    mrn_prefix = "TC"


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = "Main"
    city = "Albany"
    region = "NY"
    time_zone = "America/New_York"


class UserFactory(DjangoModelFactory):
    """A staff user (``roles=[Role.NURSE]``) or, with ``kind="patient"``, a portal user. Password: PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    organization = factory.SubFactory(OrganizationFactory)
    kind = "staff"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, roles, **kwargs):
        self.save()  # the password set above
        for role in roles or ():
            RoleAssignment.objects.create(user=self, role=role)


class PortalUserFactory(UserFactory):
    """A patient's portal account, linked to ``patient``."""

    kind = "patient"

    @factory.post_generation
    def patient(self, create, patient, **kwargs):
        if patient is not None:
            patient.portal_user = self
            patient.save(update_fields=["portal_user"])


class PatientFactory(factory.Factory):
    """A patient registered through ``register_patient`` by ``registered_by`` (a front-desk user)."""

    class Meta:
        model = Patient

    given_name = PATIENT_DATA["given_name"]
    family_name = PATIENT_DATA["family_name"]
    date_of_birth = PATIENT_DATA["date_of_birth"]
    sex_at_birth = PATIENT_DATA["sex_at_birth"]
    phone = PATIENT_DATA["phone"]
    email = PATIENT_DATA["email"]

    @classmethod
    def _create(cls, model_class, registered_by, **data):
        return patient_services.register_patient(ctx_for(registered_by), data)


class ChartRecordFactory(factory.Factory):
    """One chart record (allergy, medication, measurement, ...) added through ``add_subrecord``:
    ``ChartRecordFactory(patient=p, recorded_by=nurse, kind="allergy", substance="Latex", ...)``."""

    class Meta:
        model = dict

    @classmethod
    def _create(cls, model_class, patient, recorded_by, kind, **data):
        return patient_services.add_subrecord(ctx_for(recorded_by), patient, kind, data)


class AllergyFactory(ChartRecordFactory):
    kind = "allergy"
    substance = "Latex"
    severity = "mild"
