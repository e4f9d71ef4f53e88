"""Measure what a tier confines, by running a probe program in it (``modbox doctor``'s table).

The app lays out bait outside the read set and the scratch folder (a private file of its user's,
a file any user may read, a folder anyone may write to), listens on loopback for TCP and UDP, and
asks the probe, run in the sandbox like any learner program, to reach each of them and the app's
own process. Nothing is assumed from the tier's name: a tier that leaks shows it here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PROBE = """\
import json, os, socket
bait = json.loads({bait!r})
found = {{"read": {{}}, "write": {{}}}}
for name, path in bait["read"].items():
    try:
        with open(path, "rb") as f:
            found["read"][name] = bool(f.read(1))
    except OSError:
        found["read"][name] = False
for name, folder in bait["write"].items():
    try:
        with open(os.path.join(folder, "written-by-the-probe"), "w") as f:
            f.write("x")
        found["write"][name] = True
    except OSError:
        found["write"][name] = False
try:
    socket.create_connection(("127.0.0.1", bait["tcp"]), timeout=2).close()
    found["tcp"] = True
except OSError:
    found["tcp"] = False
try:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(b"probe", ("127.0.0.1", bait["udp"]))
except OSError:
    pass
found["sees_app"] = os.path.exists(f"/proc/{{bait['pid']}}")
try:
    os.kill(bait["pid"], 0)
    found["signals_app"] = True
except OSError:
    found["signals_app"] = False
print(json.dumps(found))
"""

READS = {  # bait name -> words for the table
    "own": "your files",
    "others": "others' files",
    "environ": "app's environment",
}


@dataclass
class Confinement:
    """What learner code could do in one tier, as measured; ``error`` when the probe failed."""

    reads: list[str] = field(default_factory=list)  # what it could read (READS' words)
    writes: bool = False  # wrote outside its scratch folder
    network: list[str] = field(default_factory=list)  # "TCP", "UDP": what reached the app
    processes: list[str] = field(default_factory=list)  # "sees app", "signals app"
    error: str = ""

    def cells(self) -> dict[str, str]:
        """Column -> "confined", or "NOT: " and what got through."""
        leaks = {
            "reads": self.reads,
            "writes": ["outside scratch"] * self.writes,
            "network": self.network,
            "processes": self.processes,
        }
        return {k: "NOT: " + ", ".join(v) if v else "confined" for k, v in leaks.items()}


class Bait:
    """Files and listeners the probe tries to reach; ``close()`` removes them."""

    def __init__(self) -> None:
        self.top = Path(tempfile.mkdtemp(prefix="modbox-doctor-"))
        self.top.chmod(0o755)
        private = self.top / "private"
        private.mkdir(mode=0o700)
        (private / "secret.txt").write_text("private\n")
        (private / "secret.txt").chmod(0o600)
        shared = self.top / "shared"
        shared.mkdir(mode=0o755)
        (shared / "notes.txt").write_text("readable by all\n")
        (shared / "notes.txt").chmod(0o644)
        self.drop = self.top / "drop"
        self.drop.mkdir()
        self.drop.chmod(0o777)  # anyone may write here: only the sandbox can stop a write
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.paths = {
            "own": str(private / "secret.txt"),
            "others": str(shared / "notes.txt"),
            "environ": f"/proc/{os.getpid()}/environ",
        }

    def source(self) -> str:
        bait = {
            "read": self.paths,
            "write": {"outside": str(self.drop)},
            "tcp": self.tcp.getsockname()[1],
            "udp": self.udp.getsockname()[1],
            "pid": os.getpid(),
        }
        return PROBE.format(bait=json.dumps(bait))

    def udp_arrived(self) -> bool:
        try:
            return bool(self.udp.recv(64))
        except BlockingIOError:
            return False

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()
        shutil.rmtree(self.top, ignore_errors=True)


def measure(sandbox) -> Confinement:
    """Run the probe in ``sandbox`` (a started Sandbox) and say what got through."""
    bait = Bait()
    try:
        report = sandbox.run(bait.source(), filename="modbox_probe.py")
        if not report.ok:
            why = report.error.message if report.error else "no result"
            return Confinement(error=f"the probe failed: {why}")
        try:
            found = json.loads(report.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return Confinement(error=f"the probe printed {report.stdout[:200]!r}")
        network = ["TCP"] * found["tcp"] + ["UDP"] * bait.udp_arrived()
        processes = ["sees app"] * found["sees_app"] + ["signals app"] * found["signals_app"]
        return Confinement(
            reads=[READS[name] for name, ok in found["read"].items() if ok],
            writes=any(found["write"].values()),
            network=network,
            processes=processes,
        )
    finally:
        bait.close()
