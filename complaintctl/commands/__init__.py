"""Click commands, grouped by what the user does. Each parses, calls the core, prints."""
