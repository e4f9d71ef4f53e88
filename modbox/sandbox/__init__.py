"""Run learner code out of process: a warm zygote with torch imported forks one child per run.

    from modbox.sandbox import Sandbox, Limits
    with Sandbox(limits=Limits(wall=5)) as sb:
        report = sb.run(source, filename="main.py")

Laid out by the process that runs each module:
  host/   the app's process: the client (``Sandbox``), its supervisor thread, the handle on the
          zygote process, the tiers, the Report of a run. It never imports torch.
  child/  the zygote (``child/zygote.py``, which imports torch) and the run child it forks
          (``child/run_child.py``), with the event sink the probe reports through.
  wire.py, limits.py, landlock.py, privileges.py: used by both sides (each says why).
"""

from modbox.sandbox.host.client import Progress, Sandbox, Superseded
from modbox.sandbox.host.tiers import TierUnavailable
from modbox.sandbox.limits import Limits

__all__ = ["Limits", "Progress", "Sandbox", "Superseded", "TierUnavailable"]
