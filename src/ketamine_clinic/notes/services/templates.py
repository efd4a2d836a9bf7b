"""Note templates: the shipped ones (``rules.KINDS``, to be reviewed by each clinic) and a clinic's
own versions (a new version per change, the newest in force)."""

import re
from dataclasses import dataclass

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.core.text_limits import length_errors

from .. import rules
from ..models import NoteTemplate

MAX_SECTIONS = 20
SECTION_LABEL_MAX_CHARS = 120


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    version: int  # 0: the shipped template
    sections: tuple[tuple[str, str], ...]

    @property
    def needs_review(self) -> bool:
        """A shipped template is a starting point the clinic has not yet made its own."""
        return self.version == 0


def _kind(kind: str) -> rules.NoteKind:
    found = rules.KINDS.get(kind)
    if found is None:
        raise ValidationFailed({"kind": [f"Choose one of: {', '.join(rules.KINDS)}."]})
    return found


def template_for(organization, kind: str) -> Template:
    """The clinic's newest version of the template, else the shipped one."""
    shipped = _kind(kind)
    own = NoteTemplate.objects.filter(organization=organization, kind=kind).order_by("-version").first()
    if own is None:
        return Template(kind, shipped.label, 0, shipped.sections)
    return Template(kind, own.title, own.version, tuple(tuple(s) for s in own.sections))


def templates_for(organization) -> list[Template]:
    return [template_for(organization, kind) for kind in rules.KINDS]


def _section_key(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "section"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def save_template(ctx: Context, kind: str, title: str, section_labels: list[str], reason: str) -> NoteTemplate:
    """A new version of the clinic's template for ``kind``: its title and section headings."""
    require(ctx.user, "note.manage_templates")
    _kind(kind)
    title, reason = (title or "").strip(), (reason or "").strip()
    labels = [label.strip() for label in section_labels if label and label.strip()]
    errors = {**length_errors(title, NoteTemplate, "title"), **length_errors(reason, NoteTemplate, "reason")}
    if not title:
        errors["title"] = ["Give the template a title."]
    if not labels or len(labels) > MAX_SECTIONS:
        errors["sections"] = [f"List 1 to {MAX_SECTIONS} section headings, one per line."]
    elif any(len(label) > SECTION_LABEL_MAX_CHARS for label in labels):
        errors["sections"] = [f"Keep each heading to {SECTION_LABEL_MAX_CHARS} characters or fewer."]
    if not reason:
        errors["reason"] = ["Say why the template changes."]
    if errors:
        raise ValidationFailed(errors)
    previous = template_for(ctx.user.organization, kind)
    keys_by_label = {label: key for key, label in previous.sections}
    sections, taken = [], set()
    for label in labels:
        key = keys_by_label.get(label) or _section_key(label, taken | set(keys_by_label.values()))
        taken.add(key)
        sections.append([key, label])
    org = ctx.user.organization
    with transaction.atomic():
        last = NoteTemplate.objects.select_for_update().filter(organization=org, kind=kind).order_by("-version").first()
        row = NoteTemplate.objects.create(organization=org, kind=kind, version=(last.version + 1) if last else 1,
                                          title=title, sections=sections, created_by=ctx.user, reason=reason)
        record(ctx, Action.NOTE_TEMPLATE_CHANGE, obj=row, object_id=f"{kind}:v{row.version}", organization=org,
               detail={"kind": kind, "version": row.version, "sections": len(sections)})
    return row


def get_kind_or_404(kind: str) -> rules.NoteKind:
    if kind not in rules.KINDS:
        raise NotFound("No such note template.")
    return rules.KINDS[kind]
