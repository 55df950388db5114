"""Pure rule checks, one module per rule family (fields, transitions, dates, deadlines, recusal,
closing, archive, renumbering), and the validator that runs them over a case file."""
