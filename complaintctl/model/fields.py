"""Every field of a case file by its path, in one place.

Code outside `model/` names a field by these constants (`get(data, F.PLAN_DUE)`), never by
a dotted string: a typo is then a NameError at import, not a silent None. The paths follow
templates/case.schema.json (the published schema); `ALL` lists them for the tests that check
both agree.
"""

from __future__ import annotations

ID = "id"
STATUS = "status"
INTAKE = "intake"
INTAKE_RECEIVED_AT = "intake.received_at"
INTAKE_RECORDED_AT = "intake.recorded_at"
INTAKE_CHANNEL = "intake.channel"
INTAKE_FIRST_RECEIVER = "intake.first_receiver"
INTAKE_COMPLAINANT = "intake.complainant"
INTAKE_COMPLAINANT_NAME = "intake.complainant.name"
INTAKE_COMPLAINANT_CLASS = "intake.complainant.class"
INTAKE_COMPLAINANT_CONTACT = "intake.complainant.contact"
INTAKE_COMPLAINANT_ADDRESS = "intake.complainant.address"
INTAKE_COMPLAINANT_LOOKUP = "intake.complainant.lookup"  # R-AS-5: blind-index lookups (privacy/blindindex.py)
INTAKE_COMPLAINANT_ANONYMOUS = "intake.complainant.anonymous"
INTAKE_COMPLAINANT_ANONYMOUS_REASON = "intake.complainant.anonymous_reason"
INTAKE_LOCATION = "intake.location"
INTAKE_SUBJECT = "intake.subject"
INTAKE_DETAILS = "intake.details"
INTAKE_MATERIALS = "intake.materials"
INTAKE_ATTACHMENTS = "intake.attachments"
INTAKE_SOURCE = "intake.source"
INTAKE_SOURCE_FILE = "intake.source.file"
INTAKE_SOURCE_ROW = "intake.source.row"
INTAKE_SOURCE_KEY = "intake.source.key"
INTAKE_SOURCE_MESSAGE_ID = "intake.source.message_id"
ASSESSMENT = "assessment"
ASSESSMENT_CATEGORY = "assessment.category"
ASSESSMENT_SEVERITY = "assessment.severity"
ASSESSMENT_VALID = "assessment.valid"
ASSESSMENT_REPEAT_OF = "assessment.repeat_of"
ASSESSMENT_REPEAT = "assessment.repeat"
ASSESSMENT_INVALID_REASON = "assessment.invalid_reason"
ASSESSMENT_REPLY = "assessment.reply"
ASSESSMENT_DECIDED_BY = "assessment.decided_by"
ASSESSMENT_INCIDENT = "assessment.incident"
ACCUSED = "accused"
ACCUSED_PERSON = "accused.person"
ACCUSED_UNIT = "accused.unit"
ROUTING = "routing"
ROUTING_UNIT = "routing.unit"
ROUTING_HANDLER = "routing.handler"
ROUTING_COPIED = "routing.copied"
ROUTING_ESCALATION_LEVEL = "routing.escalation_level"
PLAN = "plan"
PLAN_RESOLVER = "plan.resolver"
PLAN_MEASURES = "plan.measures"
PLAN_DUE = "plan.due"
TIMELINE = "timeline"
RESOLUTION = "resolution"
RESOLUTION_AT = "resolution.at"
RESOLUTION_BY = "resolution.by"
RESOLUTION_OUTCOME = "resolution.outcome"
RESOLUTION_SUMMARY = "resolution.summary"
RESOLUTION_COMPENSATION = "resolution.compensation"
RESOLUTION_RESPONSIBLE = "resolution.responsible"
RESOLUTION_SHARE = "resolution.share"
RESOLUTION_LOSS = "resolution.loss"
REVISIT = "revisit"
REVISIT_AT = "revisit.at"
REVISIT_BY = "revisit.by"
REVISIT_SATISFACTION = "revisit.satisfaction"
REVISIT_COMMENT = "revisit.comment"
REVISIT_CONFIRMED_BY_CUSTOMER = "revisit.confirmed_by_customer"
CLOSING = "closing"
CLOSING_AT = "closing.at"
CLOSING_BY = "closing.by"
CLOSING_ROOT_CAUSE = "closing.root_cause"
CLOSING_PREVENTIVE_ACTION = "closing.preventive_action"
CLOSING_LESSON = "closing.lesson"
CLOSING_LATE_REASON = "closing.late_reason"
CLOCKS = "clocks"

# Whole sections, for code that walks a section (required fields by prefix, section comments).
SECTIONS = (INTAKE, ASSESSMENT, ACCUSED, ROUTING, PLAN, TIMELINE, RESOLUTION, REVISIT, CLOSING, CLOCKS)
ALL = (
    ID,
    STATUS,
    INTAKE,
    INTAKE_RECEIVED_AT,
    INTAKE_RECORDED_AT,
    INTAKE_CHANNEL,
    INTAKE_FIRST_RECEIVER,
    INTAKE_COMPLAINANT,
    INTAKE_COMPLAINANT_NAME,
    INTAKE_COMPLAINANT_CLASS,
    INTAKE_COMPLAINANT_CONTACT,
    INTAKE_COMPLAINANT_ADDRESS,
    INTAKE_COMPLAINANT_LOOKUP,
    INTAKE_COMPLAINANT_ANONYMOUS,
    INTAKE_COMPLAINANT_ANONYMOUS_REASON,
    INTAKE_LOCATION,
    INTAKE_SUBJECT,
    INTAKE_DETAILS,
    INTAKE_MATERIALS,
    INTAKE_ATTACHMENTS,
    INTAKE_SOURCE,
    INTAKE_SOURCE_FILE,
    INTAKE_SOURCE_ROW,
    INTAKE_SOURCE_KEY,
    INTAKE_SOURCE_MESSAGE_ID,
    ASSESSMENT,
    ASSESSMENT_CATEGORY,
    ASSESSMENT_SEVERITY,
    ASSESSMENT_VALID,
    ASSESSMENT_REPEAT_OF,
    ASSESSMENT_REPEAT,
    ASSESSMENT_INVALID_REASON,
    ASSESSMENT_REPLY,
    ASSESSMENT_DECIDED_BY,
    ASSESSMENT_INCIDENT,
    ACCUSED,
    ACCUSED_PERSON,
    ACCUSED_UNIT,
    ROUTING,
    ROUTING_UNIT,
    ROUTING_HANDLER,
    ROUTING_COPIED,
    ROUTING_ESCALATION_LEVEL,
    PLAN,
    PLAN_RESOLVER,
    PLAN_MEASURES,
    PLAN_DUE,
    TIMELINE,
    RESOLUTION,
    RESOLUTION_AT,
    RESOLUTION_BY,
    RESOLUTION_OUTCOME,
    RESOLUTION_SUMMARY,
    RESOLUTION_COMPENSATION,
    RESOLUTION_RESPONSIBLE,
    RESOLUTION_SHARE,
    RESOLUTION_LOSS,
    REVISIT,
    REVISIT_AT,
    REVISIT_BY,
    REVISIT_SATISFACTION,
    REVISIT_COMMENT,
    REVISIT_CONFIRMED_BY_CUSTOMER,
    CLOSING,
    CLOSING_AT,
    CLOSING_BY,
    CLOSING_ROOT_CAUSE,
    CLOSING_PREVENTIVE_ACTION,
    CLOSING_LESSON,
    CLOSING_LATE_REASON,
    CLOCKS,
)
