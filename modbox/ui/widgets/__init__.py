"""Widgets of the workspace: the editor, the panes and the status line."""
