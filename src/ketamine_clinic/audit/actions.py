"""Every audit action, grouped by the app that records it. ``record`` takes one of these, never a
free string (``tests/audit/test_actions.py`` checks the source), so a typo cannot start a new,
unsearchable kind of event. The stored values are the strings the trail always held: existing rows,
filters and exports stay valid. Add a member here before recording a new kind of event.
"""

from enum import StrEnum


class Action(StrEnum):
    # --- accounts: sign-in, tokens, staff accounts, the clinic and its locations
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGOUT = "auth.logout"
    AUTH_TOKEN_CREATE = "auth.token_create"
    AUTH_TOKEN_REVOKE = "auth.token_revoke"
    AUTH_TOKENS_REVOKED = "auth.tokens_revoked"
    LOCATION_CREATE = "location.create"
    ORG_CREATE = "org.create"
    ORG_SECURITY_SETTINGS = "org.security_settings"
    USER_ACTIVATE = "user.activate"
    USER_CREATE = "user.create"
    USER_DEACTIVATE = "user.deactivate"
    USER_DEFAULT_LOCATION = "user.default_location"
    USER_EMAIL = "user.email"
    USER_PASSWORD_RESET_SENT = "user.password_reset_sent"
    USER_PROFILE_UPDATE = "user.profile_update"
    USER_ROLES = "user.roles"
    USER_UNLOCK = "user.unlock"

    # --- audit: the audit trail itself
    AUDIT_EXPORT = "audit.export"

    # --- core: clinic settings
    ORG_SETTING_CHANGE = "org.setting_change"

    # --- patients: the chart: registration, demographics, chart records
    PATIENT_ALLERGY_CREATE = "patient.allergy.create"
    PATIENT_ALLERGY_STATUS = "patient.allergy.status"
    PATIENT_ALLERGY_UPDATE = "patient.allergy.update"
    PATIENT_CARE_TEAM = "patient.care_team"
    PATIENT_CREATE = "patient.create"
    PATIENT_DIAGNOSIS_CREATE = "patient.diagnosis.create"
    PATIENT_DIAGNOSIS_STATUS = "patient.diagnosis.status"
    PATIENT_DIAGNOSIS_UPDATE = "patient.diagnosis.update"
    PATIENT_MEASUREMENT_CREATE = "patient.measurement.create"
    PATIENT_MEASUREMENT_STATUS = "patient.measurement.status"
    PATIENT_MEASUREMENT_UPDATE = "patient.measurement.update"
    PATIENT_MEDICATION_CREATE = "patient.medication.create"
    PATIENT_MEDICATION_STATUS = "patient.medication.status"
    PATIENT_MEDICATION_UPDATE = "patient.medication.update"
    PATIENT_NO_KNOWN_ALLERGIES = "patient.no_known_allergies"
    PATIENT_PORTAL_ACCOUNT = "patient.portal_account"
    PATIENT_RESULT_CREATE = "patient.result.create"
    PATIENT_RESULT_STATUS = "patient.result.status"
    PATIENT_RESULT_UPDATE = "patient.result.update"
    PATIENT_RESULT_ATTACHMENT = "patient.result_attachment"
    PATIENT_TRIAL_CREATE = "patient.trial.create"
    PATIENT_TRIAL_STATUS = "patient.trial.status"
    PATIENT_TRIAL_UPDATE = "patient.trial.update"
    PATIENT_UPDATE = "patient.update"
    PATIENT_VIEW = "patient.view"
    PATIENT_VIEW_HISTORY = "patient.view_history"
    PORTAL_VIEW_OWN = "portal.view_own"

    # --- screening: intake evaluations, eligibility, consent, REMS enrollment
    CONSENT_DOCUMENT_SEED = "consent.document.seed"
    CONSENT_DOCUMENT_UPDATE = "consent.document.update"
    CONSENT_REVOKE = "consent.revoke"
    CONSENT_SIGN = "consent.sign"
    CONSENT_VIEW = "consent.view"
    CONSENT_WITNESS = "consent.witness"
    ELIGIBILITY_SIGN = "eligibility.sign"
    EVALUATION_CHECK = "evaluation.check"
    EVALUATION_COMPLETE = "evaluation.complete"
    EVALUATION_CREATE = "evaluation.create"
    EVALUATION_MERGE_PATIENT_REPORT = "evaluation.merge_patient_report"
    EVALUATION_UPDATE = "evaluation.update"
    EVALUATION_VIEW = "evaluation.view"
    PORTAL_INTAKE_SAVE = "portal.intake.save"
    PORTAL_INTAKE_SUBMIT = "portal.intake.submit"
    REMS_ENROLL = "rems.enroll"
    REMS_ENTERED_IN_ERROR = "rems.entered_in_error"
    REMS_VIEW = "rems.view"
    SCREENING_MAY_TREAT = "screening.may_treat"

    # --- assessments: questionnaires, suicide-risk alerts, questionnaire links
    ALERT_ACKNOWLEDGE = "alert.acknowledge"
    ALERT_ESCALATE = "alert.escalate"
    ALERT_RAISE = "alert.raise"
    ASSESSMENT_AMEND = "assessment.amend"
    ASSESSMENT_DRAFT = "assessment.draft"
    ASSESSMENT_ENTER = "assessment.enter"
    ASSESSMENT_SUBMIT = "assessment.submit"
    ASSESSMENT_VIEW = "assessment.view"
    ASSESSMENT_VIEW_TRAJECTORY = "assessment.view_trajectory"
    MEASURES_LINK_CREATE = "measures.link_create"
    MEASURES_SEND_LINK = "measures.send_link"

    # --- plans: protocols, plans, boosters, scheduling, reminders, calendar feeds
    APPOINTMENT_BOOK = "appointment.book"
    APPOINTMENT_BOOK_SERIES = "appointment.book_series"
    APPOINTMENT_CANCEL = "appointment.cancel"
    APPOINTMENT_NO_SHOW = "appointment.no_show"
    APPOINTMENT_REQUEST = "appointment.request"
    APPOINTMENT_REQUEST_HANDLED = "appointment.request_handled"
    APPOINTMENT_RESCHEDULE = "appointment.reschedule"
    APPOINTMENT_STATUS = "appointment.status"
    BOOSTER_ACCEPT = "booster.accept"
    BOOSTER_DECLINE = "booster.decline"
    BOOSTER_PROPOSE = "booster.propose"
    CALENDAR_FEED_CREATE = "calendar_feed.create"
    CALENDAR_FEED_FETCH = "calendar_feed.fetch"
    CALENDAR_FEED_REVOKE = "calendar_feed.revoke"
    LOCATION_CLOSED_DATE = "location.closed_date"
    LOCATION_OPENING_HOURS = "location.opening_hours"
    PLAN_ACTIVATE = "plan.activate"
    PLAN_ACTIVE = "plan.active"
    PLAN_COMPLETED = "plan.completed"
    PLAN_CREATE = "plan.create"
    PLAN_DOSE_CHANGE = "plan.dose_change"
    PLAN_PAUSED = "plan.paused"
    PLAN_STOPPED = "plan.stopped"
    PLAN_VIEW = "plan.view"
    PROTOCOL_VERSION = "protocol.version"
    REMINDER_FAILED = "reminder.failed"
    REMINDER_SENT = "reminder.sent"
    RESOURCE_ACTIVATE = "resource.activate"
    RESOURCE_CREATE = "resource.create"
    RESOURCE_DEACTIVATE = "resource.deactivate"

    # --- treatments: the session day and the REMS monitoring form
    REMS_FORM_GENERATED = "rems.form_generated"
    REMS_FORM_SUBMITTED = "rems.form_submitted"
    SESSION_ALERT_ACK = "session.alert_ack"
    SESSION_BP_DECISION = "session.bp_decision"
    SESSION_CHECKLIST = "session.checklist"
    SESSION_COSIGN_FAILED = "session.cosign_failed"
    SESSION_CREATE = "session.create"
    SESSION_CSSRS_DECISION = "session.cssrs_decision"
    SESSION_DEVICE = "session.device"
    SESSION_DISCHARGE = "session.discharge"
    SESSION_DOSE_START = "session.dose_start"
    SESSION_DOSE_STOP = "session.dose_stop"
    SESSION_END_WITHOUT_DOSE = "session.end_without_dose"
    SESSION_EVENT = "session.event"
    SESSION_RATE_CHANGE = "session.rate_change"
    SESSION_VIEW = "session.view"
    SESSION_VITALS = "session.vitals"

    # --- fhir: the HL7 FHIR R4 facade (/fhir/r4/); its writes are audited by the services they call
    FHIR_READ = "fhir.read"
    FHIR_SEARCH = "fhir.search"
    FHIR_TRANSACTION = "fhir.transaction"

    @classmethod
    def chart_record(cls, kind: str, verb: str) -> "Action":
        """``patient.<kind>.<verb>`` for a chart record kind (measurement, allergy, …) and create/update/status."""
        return cls(f"patient.{kind}.{verb}")

    @classmethod
    def plan_status(cls, status: str) -> "Action":
        """``plan.<status>`` for a signed plan status change (active, paused, completed, stopped)."""
        return cls(f"plan.{status}")
