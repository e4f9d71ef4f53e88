"""The process one browser tab runs: ``modbox ARGS`` with Textual's web driver.

It ends with the server that started it (PDEATHSIG), so a server that is killed outright leaves
no modbox behind; the sandbox's processes already end with the app.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    from modbox.sandbox import privileges

    privileges.prctl(privileges.PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != os.environ.get("MODBOX_SERVE_PID"):
        return 1  # the server ended before the line above took effect
    from modbox.cli import main as modbox_main

    return modbox_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
