"""What runs in the app's process: the client, its supervisor thread and the handle on the zygote.

Nothing here imports torch, and nothing here imports ``modbox.sandbox.child``: the app speaks to
the zygote only through ``modbox.sandbox.wire`` and the run's pipes.
"""
