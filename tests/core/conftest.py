"""Core tests: the Report and its JSON, formatting, the terminal printer, the CLI, and the import
layers (docs/architecture.md). No sandbox, no terminal UI; the fixtures of tests/conftest.py
apply here as everywhere."""
