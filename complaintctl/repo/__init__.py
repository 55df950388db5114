"""The repository on disk: git access (the only module that runs git), the case store, the
read index, locks, the office set-up, and the pre-commit hook."""
