"""Lesson tests: the lesson format and course file, the checks, the session, progress and
`modbox lessons`. Small lessons to vary are in tests/support/lessons.py."""
