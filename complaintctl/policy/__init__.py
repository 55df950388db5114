"""The office policy file (complaintctl.yaml): vocabularies, people and roles, the SLA table,
the working-day calendar, durations and periods — and the SLA clocks they give one case."""
