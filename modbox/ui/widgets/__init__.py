"""Widgets of the workspace: the editor, the panes, the status line, and the small dialogs they open."""
