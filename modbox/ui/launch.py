"""Entry points the command line calls: ``modbox play [FILE]`` and ``modbox learn [ID]``."""

from __future__ import annotations


def play(args) -> int:
    from modbox.ui.app import ModboxApp

    app = ModboxApp(file=getattr(args, "file", None))
    app.run()
    return app.return_code or 0


def learn(args) -> int:
    # The lesson player (issue 5) embeds modbox.ui.workspace.Workspace in a lesson screen and
    # replaces this function; the lead wires it in.
    raise NotImplementedError("the lesson player is not part of the play-mode build")
