"""The notes app's services: every write checks permission, validates, writes in one transaction
and records its audit event."""

from .notes import (  # noqa: F401
    add_addendum, cosign_note, cosign_required_for, cosigners_for, MINUTE_FIELDS, get_note_for, may_write, notes_for_patient, resolve_links, save_draft, sign_note,
    start_note, unsigned_notes_for, writable_kinds,
)
from .psychotherapy import (  # noqa: F401
    get_psychotherapy_note_for, own_psychotherapy_notes, sign_psychotherapy_note, update_psychotherapy_note,
    write_psychotherapy_note,
)
from .disclosure import (  # noqa: F401
    disclose_psychotherapy_note, disclosed_psychotherapy_note_for, disclosures_of, eligible_recipients,
    notes_disclosed_to_me, revoke_disclosure,
)
from .templates import save_template, template_for, templates_for  # noqa: F401
