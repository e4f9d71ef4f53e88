"""Screens: play mode, and the dialogs it opens (help, open, templates, recovery, questions)."""
