"""List every table of the project's models for sharding by organization on Citus (README "Scaling
beyond one machine"): whether it carries ``organization_id``, else the foreign-key path that reaches
an organization, and the unique constraints that do not include ``organization_id`` (Citus requires
the distribution column in every unique constraint of a distributed table).

Run: KETAMINE_CLINIC_TESTING=1 .venv/bin/python docs/citus_tables.py   (reads models only, no database)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import models  # noqa: E402

ORG_MODEL = "accounts.Organization"
MAX_HOPS = 3


def org_field(model) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model and field.related_model._meta.label == ORG_MODEL:
            return field
    return None


def path_to_org(model, hops: int = MAX_HOPS) -> str:
    """The shortest required foreign-key path to an organization, e.g. ``patient → organization``."""
    frontier = [(model, [])]
    for _ in range(hops):
        nxt = []
        for m, path in frontier:
            direct = org_field(m)
            if direct is not None:
                return " → ".join(path + [direct.name])
            # through the record's owner (patient, session, plan) before the staff member who wrote it
            links = [f for f in m._meta.concrete_fields
                     if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not m and not f.null]
            for f in sorted(links, key=lambda f: f.related_model._meta.label == "accounts.User"):
                nxt.append((f.related_model, path + [f.name]))
        frontier = nxt
    return ""


def uniques_without_org(model) -> list[str]:
    out = []
    sets = [[f.column] for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [[model._meta.get_field(n).column for n in c.fields] for c in model._meta.constraints
             if isinstance(c, models.UniqueConstraint) and c.fields]
    sets += [[model._meta.get_field(n).column for n in t] for t in model._meta.unique_together]
    for cols in sets:
        if "organization_id" not in cols:
            out.append("(" + ", ".join(cols) + ")")
    return out


def rows():
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        if model._meta.proxy:
            continue
        if model._meta.label == ORG_MODEL:
            kind, via = "reference (small; every tenant row points to it)", "(is the organization)"
        elif org_field(model) is not None:
            kind, via = "distributed", org_field(model).column
        else:
            via = path_to_org(model)
            kind = "distributed after adding organization_id" if via else "not by organization"
        yield model._meta.db_table, kind, via or "—", ", ".join(uniques_without_org(model)) or ""


def main() -> None:
    print("| table | Citus | organization via | unique without organization_id |")
    print("|---|---|---|---|")
    for table, kind, via, uniques in rows():
        print(f"| `{table}` | {kind} | {via} | {uniques} |")


if __name__ == "__main__":
    main()
