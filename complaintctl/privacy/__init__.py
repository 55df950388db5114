"""Encrypted complainant fields (R-RT-5, docs/design/encrypted-fields.md): the marker format,
field and case-key encryption, the office keys wrapped with age, the case-key ref, the keyring."""
