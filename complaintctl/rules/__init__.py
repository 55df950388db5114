"""Pure rule checks. Each module checks one concern and returns findings; nothing here does I/O."""
