"""The bwrap tier started from a venv under /tmp: in a folder closed to other users (``mktemp -d``
and pytest's tmp_path make such folders), or deeper below /tmp (a clone in /tmp/work/modbox).

When modbox runs as root, learner code runs as nobody, and it imports lazily from the venv long
after the zygote started (``torch.optim`` pulls in ``torch._dynamo``, ``torch.save``
``torch.utils.serialization``). bwrap's own /tmp is a fresh tmpfs: the venv is bound back into
it, and the folders on the way there must be open to nobody as well.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

import pytest

import modbox
from tests.support.sandbox import sandbox_require_tier

# Each test builds a virtual environment and starts a sandbox in it.
pytestmark = pytest.mark.slow


# The client, run by the venv's Python: a fresh run child imports a module that lives only in
# the venv, the way a lesson's `torch.save` imports torch.utils.serialization.
CLIENT = textwrap.dedent(
    """
    from modbox.sandbox import Limits, Sandbox
    with Sandbox(tier="bwrap", limits=Limits(wall=60)) as sb:
        assert sb.wait_ready(120), "the bwrap zygote did not start"
        report = sb.run("import venv_only.later\\nprint(venv_only.later.WHERE)\\n")
    print(report.stdout, report.error and report.error.message)
    """
)


@pytest.fixture(scope="module", params=["closed", "nested"])
def venv_under_tmp(request):
    """A venv under /tmp that sees this environment's packages (torch, modbox) and has one of its
    own: "closed" is itself a folder closed to others (mode 0700, as mktemp -d makes it);
    "nested" sits two open folders below /tmp."""
    top = Path(tempfile.mkdtemp(prefix="modbox-venv-", dir="/tmp"))
    try:
        assert top.stat().st_mode & 0o777 == 0o700
        root = top
        if request.param == "nested":
            top.chmod(0o755)
            root = top / "checkout" / ".venv"
            root.parent.mkdir()
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120
        )
        site = Path(
            sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)})
        )
        # This environment's packages and modbox, on the venv's path (a .pth line is a plain
        # folder: the editable install's own .pth is not read from there).
        here = [sysconfig.get_path("purelib"), str(Path(modbox.__file__).resolve().parent.parent)]
        (site / "this_environment.pth").write_text("\n".join(here) + "\n")
        package = site / "venv_only"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "later.py").write_text(f"WHERE = {str(package)!r}\n")
        yield root
    finally:
        subprocess.run(["rm", "-rf", str(top)], check=False)


def test_learner_code_imports_lazily_from_a_venv_under_tmp(venv_under_tmp):
    sandbox_require_tier("bwrap")
    python = venv_under_tmp / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-c", CLIENT], capture_output=True, text=True, timeout=300, env=env,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    assert str(venv_under_tmp) in done.stdout and "None" in done.stdout, done.stdout
