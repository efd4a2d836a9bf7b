"""How clinical screens word codes: sources as author and year, units as people write them,
dose units with the right plural. Stored values (source keys, UCUM units) stay as they are."""

from django import template

from ketamine_clinic.clinical.instruments import abbreviation
from ketamine_clinic.clinical.sources import short_citation

register = template.Library()

# UCUM (stored, as FHIR wants) -> as written on a chart.
UNIT_WORDS = {"mm[Hg]": "mmHg", "/min": "/min", "{score}": "points", "d": "days", "h": "hours", "min": "min", "%": "%"}


@register.filter
def cite(source_key) -> str:
    """``[apa-2017]`` -> "Sanacora et al., JAMA Psychiatry 2017"; "clinic-policy" -> "clinic policy"."""
    return short_citation(str(source_key or ""))


@register.filter
def unit(ucum) -> str:
    return UNIT_WORDS.get(str(ucum or ""), str(ucum or ""))


@register.filter
def dose_unit(value, unit_name) -> str:
    """``1|dose_unit:"devices"`` -> "1 device"; other units unchanged ("56 mg")."""
    try:
        count = float(value)
    except (TypeError, ValueError):
        count = None
    text = str(unit_name or "")
    if text == "devices" and count == 1:
        text = "device"
    number = f"{value.normalize():f}" if hasattr(value, "normalize") else value
    return f"{number} {text}".strip()


@register.filter
def instrument(key) -> str:
    """``phq9`` -> "PHQ-9": an instrument as its published name abbreviates it."""
    return abbreviation(str(key or ""))
