"""Screens: play mode, the lessons, and the screens they open (help, open, templates, predictions)."""
