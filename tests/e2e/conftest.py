"""End-to-end tests: the installed ``modbox`` in a real terminal, one private tmux server per
terminal (tests/support/e2e.py). Every test here is marked ``tmux`` and ``slow``, and skips where
tmux is missing."""
