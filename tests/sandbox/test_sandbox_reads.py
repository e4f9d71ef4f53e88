"""What learner code may read, in every tier, run by root and by a normal user.

A program run the way ``modbox inspect`` runs it (the folder of the file readable) tries to read
a private key in its user's home (mode 600), a world-readable file in another user's home, the
app's progress file, /etc/shadow and the app's /proc/PID/environ, and a data file next to
itself; it also reports its capability sets. bwrap and Landlock must stop every read but the
last, and leave no capability. The plain tier confines nothing: its test pins down exactly what
leaks (what the status line and ``modbox doctor`` warn about), so that the warning stays true.

As root (CI runs as root), the "normal user" is a throwaway account made for the test, and so is
the other user; otherwise it is whoever runs the tests. Python may live where the throwaway user
cannot go (pyenv under /root): its client runs in a private mount namespace where the Python
installation is opened for it, the way the landlock tier opens it for nobody.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from modbox.sandbox.child import mounts
from modbox.sandbox.host import reads
from tests.support.sandbox import sandbox_require_tier

# Run by the client as the learner: starts a sandbox the way `modbox inspect FILE` does and runs
# the program FILE holds. Prints one JSON line: what the program could read, its capabilities.
CLIENT = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from modbox.sandbox import Limits, Sandbox
    from modbox.sandbox.host.reads import extra_reads

    tier, script, targets = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    targets["environ"] = f"/proc/{os.getpid()}/environ"
    program = Path(script).read_text().replace("TARGETS", repr(targets))
    limits = Limits(wall=60)
    with Sandbox(tier=tier, limits=limits, reads=extra_reads(script, [])) as sb:
        assert sb.wait_ready(120), "the zygote did not start"
        report = sb.run(program, filename=script)
    if not report.ok:
        sys.exit(f"the program failed: {report.error.message}\\n{report.stderr}")
    print(report.stdout.strip().splitlines()[-1])
    """
)

PROGRAM = textwrap.dedent(
    """
    import json, os
    found = {}
    for name, path in TARGETS.items():
        try:
            with open(path, "rb") as f:
                found[name] = f.read().decode(errors="replace")
        except OSError as e:
            found[name] = None
    try:
        found["next_to_script"] = open(os.path.join(os.path.dirname(__file__), "data.txt")).read()
    except OSError:
        found["next_to_script"] = None
    caps = {}
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        if key in ("CapEff", "CapPrm", "CapAmb"):
            caps[key] = int(value, 16)
    print(json.dumps({"read": found, "caps": caps}))
    """
)

SECRETS = ("home_private", "other_home", "progress", "shadow", "environ")


class Learner:
    """A user whose program runs in the sandbox, with a private key and modbox progress in its
    home, and a project folder (there too) that holds the program and a data file."""

    def __init__(self, home: Path, env: dict[str, str], data_dir: Path):
        self.home = home
        self.env = env
        key = home / ".ssh" / "id_rsa"
        key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key.write_text("PRIVATE KEY\n")
        key.chmod(0o600)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.progress = data_dir / "progress.json"
        self.progress.write_text('{"lessons": {}}\n')
        self.project = home / "project"
        self.project.mkdir(exist_ok=True)
        (self.project / "data.txt").write_text("data next to the script\n")
        self.script = self.project / "model.py"
        self.script.write_text(PROGRAM)
        self.key = key


def _run_client(learner: Learner, tier: str, other_file: Path | None, preexec=None) -> dict:
    targets = {
        "home_private": str(learner.key),
        "progress": str(learner.progress),
        "shadow": "/etc/shadow",
    }
    if other_file is not None:
        targets["other_home"] = str(other_file)
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, tier, str(learner.script), json.dumps(targets)],
        capture_output=True, text=True, timeout=300, env=learner.env, cwd=str(learner.project),
        preexec_fn=preexec,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _client_env(home: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MODBOX_HOME")}
    env.update(HOME=str(home), **more)
    env.pop("XDG_DATA_HOME", None)
    env.pop("XDG_CONFIG_HOME", None)
    return env


# -- the accounts ------------------------------------------------------------------------------


def _useradd(name: str) -> pwd.struct_passwd:
    home = Path("/home") / name
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh",
                    "--user-group", name], check=True, capture_output=True, timeout=60)
    return pwd.getpwnam(name)


def _userdel(name: str) -> None:
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    subprocess.run(["pkill", "-KILL", "-U", str(uid)], check=False, capture_output=True)
    subprocess.run(["userdel", "--remove", name], check=False, capture_output=True, timeout=60)
    shutil.rmtree(Path(tempfile.gettempdir()) / f"modbox-runs-{uid}", ignore_errors=True)


@pytest.fixture(scope="module")
def other_users_file():
    """A world-readable file in another user's home: a throwaway user's, made for the test when
    it runs as root; else a readable ``.profile`` of another user, if there is one."""
    if os.geteuid() != 0:
        yield next((p for p in Path("/home").glob("*/.profile")
                    if p.stat().st_uid != os.getuid() and os.access(p, os.R_OK)), None)
        return
    name = f"mbx-other-{secrets.token_hex(3)}"
    try:
        other = _useradd(name)
        home = Path(other.pw_dir)
        home.chmod(0o755)
        notes = home / "notes.txt"
        notes.write_text("another user's notes\n")
        notes.chmod(0o644)
        os.chown(notes, other.pw_uid, other.pw_gid)
        yield notes
    finally:
        _userdel(name)


@pytest.fixture(scope="module")
def learner_account():
    """As root, the normal user modbox runs as: a throwaway account, removed afterwards with
    whatever it left running. Otherwise None: the user running the tests is one."""
    if os.geteuid() != 0:
        yield None
        return
    if shutil.which("useradd") is None:
        pytest.fail("running the sandbox as a normal user needs useradd when the tests run as root")
    name = f"mbx-learner-{secrets.token_hex(3)}"
    try:
        yield _useradd(name)
    finally:
        _userdel(name)


def _become(user: pwd.struct_passwd):
    """preexec_fn: open the Python installation for ``user`` in a private mount namespace (as
    the sandbox does for nobody), then become ``user`` for good."""
    steps = reads.opening_plan(reads.ReadSet(reads.python_paths()))

    def preexec() -> None:
        mounts.apply(steps)
        os.setgroups([])
        os.setresgid(user.pw_gid, user.pw_gid, user.pw_gid)
        os.setresuid(user.pw_uid, user.pw_uid, user.pw_uid)

    return preexec


@pytest.fixture
def normal_learner(learner_account):
    """(Learner, preexec_fn) of a normal user: the throwaway account as root (its real home),
    else whoever runs the tests (secrets in a folder of their home, removed afterwards)."""
    if learner_account is None:
        top = Path(tempfile.mkdtemp(prefix=".modbox-reads-", dir=Path.home()))
        try:
            yield (Learner(top, _client_env(Path.home(), MODBOX_HOME=str(top / "modbox")),
                           top / "modbox" / "data"), None)
        finally:
            shutil.rmtree(top, ignore_errors=True)
        return
    user = learner_account
    home = Path(user.pw_dir)
    learner = Learner(home, _client_env(home, USER=user.pw_name, LOGNAME=user.pw_name),
                      home / ".local" / "share" / "modbox")
    subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(home)], check=True)
    yield learner, _become(user)


@pytest.fixture
def root_learner():
    """modbox run by root: secrets in a folder of root's home, removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("runs modbox as root")
    top = Path(tempfile.mkdtemp(prefix=".modbox-reads-", dir=Path.home()))
    try:
        yield Learner(top, _client_env(Path.home(), MODBOX_HOME=str(top / "modbox")),
                      top / "modbox" / "data")
    finally:
        shutil.rmtree(top, ignore_errors=True)


# -- the tests ---------------------------------------------------------------------------------


def _expect_confined(found: dict) -> None:
    read = found["read"]
    assert read["next_to_script"] == "data next to the script\n", found
    leaked = {name: text for name, text in read.items() if name != "next_to_script" and text}
    assert not leaked, f"the program read {sorted(leaked)}: {found}"
    assert set(read) >= set(SECRETS) - {"other_home"} | {"next_to_script"}
    assert found["caps"] == {"CapEff": 0, "CapPrm": 0, "CapAmb": 0}, found


@pytest.mark.slow
@pytest.mark.parametrize("tier", ["bwrap", "landlock"])
def test_a_normal_users_program_reads_only_its_own_folder(tier, normal_learner, other_users_file):
    sandbox_require_tier(tier)
    learner, preexec = normal_learner
    found = _run_client(learner, tier, other_users_file, preexec)
    assert ("other_home" in found["read"]) == (other_users_file is not None)
    _expect_confined(found)


@pytest.mark.slow
@pytest.mark.parametrize("tier", ["bwrap", "landlock"])
def test_roots_program_reads_only_its_own_folder(tier, root_learner, other_users_file):
    sandbox_require_tier(tier)
    found = _run_client(root_learner, tier, other_users_file)
    assert "other_home" in found["read"]
    _expect_confined(found)


@pytest.mark.slow
def test_plain_tier_leaks_what_its_warning_says_for_a_normal_user(normal_learner,
                                                                   other_users_file):
    """The status line says: your files can be read. It must stay true (and not more than that
    need be said: /etc/shadow stays closed by its permissions)."""
    learner, preexec = normal_learner
    found = _run_client(learner, "plain", other_users_file, preexec)
    read = found["read"]
    assert read["next_to_script"] and read["home_private"] and read["progress"], found
    assert read["environ"] and not read["shadow"], found
    assert other_users_file is None or read["other_home"], found
    assert found["caps"] == {"CapEff": 0, "CapPrm": 0, "CapAmb": 0}, found


@pytest.mark.slow
def test_plain_tier_as_root_runs_as_nobody_without_capabilities(root_learner, other_users_file):
    """Root's learner code is nobody with no capability left: root's own files stay closed, a
    world-readable file elsewhere does not, and the folder of the file stays readable."""
    found = _run_client(root_learner, "plain", other_users_file)
    read = found["read"]
    assert read["next_to_script"] == "data next to the script\n", found
    assert not (read["home_private"] or read["progress"] or read["shadow"] or read["environ"])
    assert read["other_home"], found
    assert found["caps"] == {"CapEff": 0, "CapPrm": 0, "CapAmb": 0}, found


@pytest.fixture
def shared_folder():
    """A folder outside the read set that anyone may read, holding ``shared.txt``."""
    shared = Path(tempfile.mkdtemp(prefix="modbox-shared-"))
    shared.chmod(0o755)
    (shared / "shared.txt").write_text("shared weights\n")
    (shared / "shared.txt").chmod(0o644)
    yield shared
    shutil.rmtree(shared, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("tier", ["bwrap", "landlock"])
def test_allow_read_adds_a_folder_read_only(tier, shared_folder):
    """--allow-read DIR (and config.toml's allow_read) make DIR readable, not writable."""
    sandbox_require_tier(tier)
    from modbox.sandbox import Limits, Sandbox

    program = textwrap.dedent(
        f"""
        print(open({str(shared_folder / 'shared.txt')!r}).read().strip())
        try:
            open({str(shared_folder / 'new.txt')!r}, "w").write("x")
            print("wrote")
        except OSError:
            print("read-only")
        """
    )
    with Sandbox(tier=tier, limits=Limits(wall=60), reads=[shared_folder]) as sb:
        allowed = sb.run(program)
    with Sandbox(tier=tier, limits=Limits(wall=60)) as sb:
        denied = sb.run(program)
    assert allowed.ok and allowed.stdout.split() == ["shared", "weights", "read-only"], allowed
    assert not denied.ok and denied.error.kind == "exception", denied
    assert "FileNotFoundError" in denied.error.traceback or "PermissionError" in (
        denied.error.traceback), denied.error


# -- what the caller adds: the file's folder, --allow-read, config.toml ------------------------


@pytest.fixture
def modbox_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MODBOX_HOME", str(tmp_path / "modbox"))
    return tmp_path / "modbox"


def _config(modbox_home: Path, text: str) -> Path:
    path = modbox_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_config_allow_read_lists_folders(modbox_home, tmp_path):
    (tmp_path / "data").mkdir()
    _config(modbox_home, f'[sandbox]\nallow_read = ["{tmp_path / "data"}"]\n')
    assert reads.configured_reads() == [(tmp_path / "data").resolve()]
    assert reads.extra_reads(None, None) == [(tmp_path / "data").resolve()]


@pytest.mark.parametrize("text, words", [
    ("[sandbox\n", "could not be read"),
    ('[sandbox]\nallow_read = "~/data"\n', "must be a list of folder names"),
    ('[sandbox]\nallow_read = ["/no/such/folder"]\n', "/no/such/folder does not exist"),
])
def test_a_bad_config_says_what_is_wrong(modbox_home, text, words):
    path = _config(modbox_home, text)
    with pytest.raises(reads.BadReadPath) as e:
        reads.configured_reads()
    assert words in str(e.value) and str(path) in str(e.value)


def test_no_config_adds_nothing(modbox_home):
    assert reads.configured_reads() == []


def test_the_folder_of_the_file_is_readable_but_never_a_whole_home(tmp_path):
    script = tmp_path / "project" / "model.py"
    script.parent.mkdir()
    script.write_text("")
    assert reads.script_folder(script) == script.parent.resolve()
    in_home = Path.home() / "modbox-reads-test-nonexistent.py"
    assert reads.script_folder(in_home) is None  # only the file, and it does not exist
    assert reads.script_folder("/etc/hostname") == Path("/etc")
    assert reads.script_folder("/init-like-file-at-the-root") is None


@pytest.mark.parametrize("argv", [
    ["--allow-read", "D"],
    ["learn", "--allow-read", "D"],
    ["play", "x.py", "--allow-read", "D"],
    ["inspect", "x.py", "--allow-read", "D"],
    ["lessons", "check", "lessons", "--allow-read", "D"],
])
def test_allow_read_is_taken_by_every_command_that_runs_learner_code(argv):
    from modbox.cli import build_parser

    args = build_parser().parse_args(argv + ["--allow-read", "E"])
    assert args.allow_read == ["D", "E"]


def test_inspect_with_a_missing_allow_read_folder_exits_2(tmp_path, capsys, modbox_home):
    from modbox.cli import main

    script = tmp_path / "model.py"
    script.write_text("pass\n")
    assert main(["inspect", str(script), "--allow-read", str(tmp_path / "gone")]) == 2
    err = capsys.readouterr().err
    assert "--allow-read" in err and "gone does not exist" in err


@pytest.mark.slow
def test_inspect_reads_a_folder_from_config_and_its_own_folder(
    tmp_path, capsys, modbox_home, shared_folder
):
    """End to end through `modbox inspect`: config.toml's allow_read and the file's folder."""
    from modbox.cli import main
    from modbox.sandbox.host.tiers import problems_by_tier

    tier = "landlock" if problems_by_tier()["bwrap"] else "bwrap"
    sandbox_require_tier(tier)
    _config(modbox_home, f'[sandbox]\nallow_read = ["{shared_folder}"]\n')
    tmp_path.chmod(0o755)  # nobody (root's learner code) must reach the project folder
    project = tmp_path / "project"
    project.mkdir(mode=0o755)
    (project / "d.txt").write_text("next door\n")
    (project / "d.txt").chmod(0o644)
    script = project / "model.py"
    script.write_text(
        "import os\n"
        f"print(open({str(shared_folder / 'shared.txt')!r}).read().strip())\n"
        "print(open(os.path.join(os.path.dirname(__file__), 'd.txt')).read().strip())\n"
    )
    assert main(["inspect", str(script), "--sandbox", tier]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "shared weights" in out and "next door" in out


# -- modbox doctor's measurement ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("tier", ["bwrap", "landlock", "plain"])
def test_the_probe_measures_what_each_tier_confines(tier):
    """The doctor's table comes from this: bwrap and Landlock keep the bait out of reach; the
    plain tier lets through what its warning says."""
    from modbox.sandbox import Limits, Sandbox
    from modbox.sandbox.host import confinement

    sandbox_require_tier(tier)
    with Sandbox(tier=tier, limits=Limits(wall=60)) as sb:
        found = confinement.measure(sb)
    assert not found.error, found.error
    cells = found.cells()
    if tier == "plain":
        assert "TCP" in cells["network"] and cells["writes"] != "confined", cells
        assert "others' files" in cells["reads"], cells
        if os.geteuid() != 0:
            assert "your files" in cells["reads"] and "signals app" in cells["processes"]
        return
    assert cells["reads"] == cells["writes"] == cells["network"] == "confined", cells
    assert "signals app" not in cells["processes"], cells
    if tier == "bwrap":
        assert cells["processes"] == "confined", cells


def test_a_zygote_that_cannot_open_python_for_nobody_says_so(monkeypatch):
    """Outside bwrap, root's zygote opens Python's folders for nobody with mounts; when that
    fails (no right to mount, say) runs fail with a message that says what to do."""
    from modbox.sandbox import Limits, Sandbox
    from modbox.sandbox.host import tiers

    monkeypatch.setattr(tiers, "zygote_mounts",
                        lambda tier, read_set: [["bind", "/no/such/modbox/folder", "ro"]])
    with Sandbox(tier="plain", limits=Limits(wall=30)) as sb:
        report = sb.run("print('never')")
    assert not report.ok and report.error.kind == "sandbox", report
    assert "cannot open Python's folders for nobody" in report.error.message, report.error


@pytest.mark.slow
def test_doctor_says_what_the_plain_tier_in_use_does_not_confine(monkeypatch, capsys):
    from modbox.cli import main

    monkeypatch.setenv("MODBOX_SANDBOX", "plain")
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["doctor"]) == 0  # a warning, not a problem: plain is what was asked for
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "plain does not confine" in line)
    assert "network (TCP" in line and "writes (outside scratch)" in line, line
    assert "others' files" in line, line


# -- the interpreter's own sys.path, kept between launches -------------------------------------


class _Asked:
    """Stands in for subprocess.run in reads: counts the Pythons started, answers ``path``."""

    def __init__(self, path: list[str]):
        self.path, self.count = path, 0

    def __call__(self, argv, **kwargs):
        self.count += 1
        return subprocess.CompletedProcess(argv, 0, stdout=json.dumps(self.path), stderr="")


def test_the_isolated_sys_path_is_asked_once_and_kept_while_nothing_on_it_changes(
        modbox_home, tmp_path, monkeypatch):
    folder = tmp_path / "site-packages"
    folder.mkdir()
    asked = _Asked([str(folder), str(tmp_path / "missing.zip")])
    monkeypatch.setattr(reads.subprocess, "run", asked)
    assert reads.isolated_sys_path() == asked.path
    assert reads.isolated_sys_path() == asked.path and asked.count == 1  # the second launch
    (folder / "new.pth").write_text(str(tmp_path) + "\n")  # a package or a .pth installed there
    assert reads.isolated_sys_path() == asked.path and asked.count == 2
    assert reads.isolated_sys_path() == asked.path and asked.count == 2


def test_a_kept_sys_path_of_another_interpreter_or_garbled_is_asked_again(
        modbox_home, tmp_path, monkeypatch):
    asked = _Asked([str(tmp_path)])
    monkeypatch.setattr(reads.subprocess, "run", asked)
    reads.isolated_sys_path()
    kept = modbox_home / "cache" / "isolated-sys-path.json"
    other = json.loads(kept.read_text()) | {"executable": "/opt/other/python"}
    kept.write_text(json.dumps(other))
    assert reads.isolated_sys_path() == asked.path and asked.count == 2
    for garbled in ("{", "[]", '{"executable": 1}', "\xff"):
        kept.write_text(garbled)
        assert reads.isolated_sys_path() == asked.path
    assert asked.count == 6


def test_a_cache_folder_that_cannot_be_written_still_gives_the_sys_path(modbox_home, monkeypatch,
                                                                        tmp_path):
    modbox_home.mkdir(parents=True)
    (modbox_home / "cache").write_text("a file where the folder would go")
    asked = _Asked([str(tmp_path)])
    monkeypatch.setattr(reads.subprocess, "run", asked)
    assert reads.isolated_sys_path() == asked.path
    assert reads.isolated_sys_path() == asked.path and asked.count == 2


def test_the_kept_sys_path_is_the_one_python_gives(modbox_home):
    asked = subprocess.run([sys.executable, "-I", "-c", "import sys, json; print(json.dumps(sys.path))"],
                           capture_output=True, text=True, cwd="/", env={"PATH": "/usr/bin:/bin"})
    assert reads.isolated_sys_path() == json.loads(asked.stdout)
    assert reads.isolated_sys_path() == json.loads(asked.stdout)  # from the cache
