"""The case document and its small value types: the case file, case IDs, the workflow
states, time parsing and the one place the wall clock is read."""
