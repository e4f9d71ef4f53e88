"""Run learner code out of process: a warm zygote with torch imported forks one child per run.

    from modbox.sandbox import Sandbox, Limits
    with Sandbox(limits=Limits(wall=5)) as sb:
        report = sb.run(source, filename="main.py")

The client side (this package's ``client``, ``tiers``, ``outcome``, ...) never imports torch;
``worker`` (the zygote) and ``worker_run`` (the run child) are the only modules that do.
"""

from modbox.sandbox.client import Progress, Sandbox, Superseded
from modbox.sandbox.limits import Limits
from modbox.sandbox.tiers import TierUnavailable

__all__ = ["Limits", "Progress", "Sandbox", "Superseded", "TierUnavailable"]
