"""Forms of the Inventory screens. They render the fields and show the services' field errors;
the services validate (so the API and the pages refuse the same things). Choices are the
signed-in user's own clinic's products, suppliers, locations and containers."""

from django import forms

from .models import CountKind, CountTiming, ProductForm
from .reports import REPORTS


class DateInput(forms.DateInput):
    input_type = "date"


def _text(max_length=300, required=True, **kw):
    return forms.CharField(max_length=max_length, required=required, **kw)


def _qty_fields():
    return {
        "quantity_mg": forms.CharField(required=False, label="Quantity (mg)", help_text="Give mg or mL"),
        "quantity_ml": forms.CharField(required=False, label="Quantity (mL)"),
    }


def _witness_fields():
    return {
        "witness": forms.CharField(required=False, max_length=150, label="Witness (username)",
                                   help_text="A second clinician, present now"),
        "witness_secret": forms.CharField(required=False, label="Witness's password or authenticator code",
                                          widget=forms.PasswordInput(attrs={"autocomplete": "off"})),
    }


class ProductCreateForm(forms.Form):
    name = _text(120)
    ndc = _text(13, label="NDC", help_text="As printed, e.g. 0409-2051-05")
    form = forms.ChoiceField(choices=ProductForm.choices)
    concentration_mg_per_ml = forms.CharField(label="Concentration (mg/mL)")
    container_volume_ml = forms.CharField(label="Container volume (mL)")
    multi_dose = forms.BooleanField(required=False, label="Multi-dose vial")
    unit_cost = forms.CharField(required=False, label="Value per container (USD)", help_text="For Form 106")


class SupplierCreateForm(forms.Form):
    name = _text(200)
    address = _text(300)
    dea_number = _text(9, label="DEA number")


class RegistrationForm(forms.Form):
    location = forms.ChoiceField()
    registrant_name = _text(200)
    dea_number = _text(9, label="DEA number")
    expires_on = forms.DateField(required=False, widget=DateInput)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(loc.public_id), loc.name) for loc in locations]


class ReceiveForm(forms.Form):
    location = forms.ChoiceField()
    supplier = forms.ChoiceField()
    product = forms.ChoiceField()
    invoice_number = _text(60)
    received_on = forms.DateField(widget=DateInput, help_text="The date actually received, not the invoice date")
    lot_number = _text(40)
    expiry_date = forms.DateField(widget=DateInput)
    container_count = forms.IntegerField(min_value=1, max_value=500, label="Containers (vials or devices)")

    def __init__(self, *args, locations=(), suppliers=(), products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(x.public_id), x.name) for x in locations]
        self.fields["supplier"].choices = [(str(x.public_id), str(x)) for x in suppliers]
        self.fields["product"].choices = [(str(x.public_id), str(x)) for x in products]


def _container_choices(rows):
    return [(r.container.label, f"{r.container.label} · {r.container.product.name} · {r.container.location.name} · "
             f"{r.balance.ml.normalize():f} mL left · exp {r.container.expiry_date:%Y-%m-%d}") for r in rows]


class DrawForm(forms.Form):
    container = forms.ChoiceField(help_text="Lot and expiry come from the container")
    patient = _text(40, label="Patient MRN")
    quantity_mg = forms.CharField(required=False, label="Quantity (mg)", help_text="Give mg or mL; a nasal device is taken whole")
    quantity_ml = forms.CharField(required=False, label="Quantity (mL)")

    def __init__(self, *args, containers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].choices = _container_choices(containers)


class AdministerForm(forms.Form):
    quantity_mg = forms.CharField(required=False, label="Given (mg)", help_text="Give mg or mL; a device is given whole")
    quantity_ml = forms.CharField(required=False, label="Given (mL)")


class WitnessedOutcomeForm(forms.Form):
    quantity_mg = forms.CharField(required=False, label="Quantity (mg)", help_text="Give mg or mL")
    quantity_ml = forms.CharField(required=False, label="Quantity (mL)")
    witness = _witness_fields()["witness"]
    witness_secret = _witness_fields()["witness_secret"]
    method = _text(120, required=False, label="Manner", help_text="e.g. into a drug-disposal container")
    reason = _text(300, required=False)


class TransferForm(forms.Form):
    container = forms.ChoiceField()
    to_location = forms.ChoiceField(label="To location")
    reason = _text(300, required=False)

    def __init__(self, *args, containers=(), locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].choices = _container_choices(containers)
        self.fields["to_location"].choices = [(str(x.public_id), x.name) for x in locations]


DISPOSALS = [("destroy", "Destroy on site (Form 41)"), ("reverse_distributor", "Return to a reverse distributor"),
             ("loss", "Loss"), ("theft", "Theft")]


class DisposeForm(forms.Form):
    action = forms.ChoiceField(choices=DISPOSALS, label="What happened")
    container = forms.ChoiceField()
    all = forms.BooleanField(required=False, label="Everything the container holds")
    quantity_mg = forms.CharField(required=False, label="Quantity (mg)")
    quantity_ml = forms.CharField(required=False, label="Quantity (mL)")
    method = _text(120, required=False, label="Method of destruction")
    reason = _text(1000, required=False, label="Reason or what happened")
    reference = _text(120, required=False, help_text="Reverse distributor, Form 41 or police report number")
    discovered_on = forms.DateField(required=False, widget=DateInput, help_text="Loss or theft: the date it was discovered")
    witness = _witness_fields()["witness"]
    witness_secret = _witness_fields()["witness_secret"]

    def __init__(self, *args, containers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].choices = _container_choices(containers)


class CountForm(forms.Form):
    location = forms.ChoiceField()
    timing = forms.ChoiceField(choices=CountTiming.choices)
    kind = forms.ChoiceField(choices=CountKind.choices)
    note = _text(300, required=False)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(x.public_id), x.name) for x in locations]


class ResolveForm(forms.Form):
    explanation = _text(1000, widget=forms.Textarea(attrs={"rows": 3}))
    quantity_relative = forms.BooleanField(required=False, label="Large relative to the clinic's use of the drug")
    pattern = forms.BooleanField(required=False, label="Part of a pattern of losses (even small ones)")
    diversion_trend = forms.BooleanField(required=False, label="Local diversion trends or other signs of diversion")
    theft = forms.BooleanField(required=False, label="This was a theft")
    judged_significant = forms.BooleanField(required=False, label="We judge this a significant loss")


class DeadlineDoneForm(forms.Form):
    note = _text(300, label="What was sent, how and when")


class CorrectionForm(forms.Form):
    reason = _text(300, label="Why this event is wrong")


class ReportForm(forms.Form):
    report = forms.ChoiceField(choices=list(REPORTS.items()))
    location = forms.ChoiceField()
    start = forms.DateField(widget=DateInput)
    end = forms.DateField(widget=DateInput)
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("csv", "CSV")])

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(x.public_id), x.name) for x in locations]
