"""``modbox inspect`` and ``modbox doctor``, through the real command-line parser."""

from __future__ import annotations

import pytest

from modbox.cli import main
from modbox.report import Report


@pytest.fixture
def learner_file(tmp_path):
    def write(text: str, name: str = "model.py"):
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    return write


@pytest.mark.slow
def test_inspect_exits_0_when_the_code_ran_to_the_end(learner_file, capsys):
    path = learner_file("import torch\nprint(torch.nn.Linear(2, 3).weight.shape)\n")
    assert main(["inspect", path, "--sandbox", "plain"]) == 0
    out = capsys.readouterr().out
    assert "torch.Size([3, 2])" in out and "sandbox: plain (not isolated: your files" in out


@pytest.mark.slow
def test_inspect_exits_1_and_still_prints_when_the_code_fails(learner_file, capsys):
    path = learner_file("print('before')\n1 / 0\n")
    assert main(["inspect", path, "--sandbox", "plain"]) == 1
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "before" in out and "line 2" in out


@pytest.mark.slow
def test_inspect_json_prints_the_report(learner_file, capsys):
    path = learner_file("import time\ntime.sleep(5)\n")
    assert main(["inspect", path, "--json", "--timeout", "0.5", "--sandbox", "plain"]) == 1
    report = Report.from_json(capsys.readouterr().out)
    assert report.error.kind == "timeout" and report.error.line == 2
    assert "0.5 s" in report.error.message
    assert report.sandbox == "plain"


@pytest.mark.slow
def test_inspect_eval_answers_expressions_in_the_final_namespace(learner_file, capsys):
    path = learner_file("import torch\nmodel = torch.nn.Linear(2, 3)\n")
    args = ["inspect", path, "--sandbox", "plain", "--eval", "model.out_features", "--eval", "nope"]
    assert main(args + ["--json"]) == 0
    values = Report.from_json(capsys.readouterr().out).values
    assert [(v.expr, v.ok, v.value, v.repr) for v in values] == [
        ("model.out_features", True, 3, "3"), ("nope", False, None, "NameError: name 'nope' is not defined")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "model.out_features = 3\n" in out and "nope  raised NameError: name 'nope' is not defined" in out


@pytest.mark.slow
def test_inspect_memory_flag_sets_the_budget(learner_file, capsys):
    path = learner_file("import torch\nx = torch.zeros(100_000_000)\n")  # 400 MB
    assert main(["inspect", path, "--json", "--memory", "200", "--sandbox", "plain"]) == 1
    report = Report.from_json(capsys.readouterr().out)
    assert report.error.kind == "memory" and "200 MiB" in report.error.message


@pytest.mark.parametrize(
    "make, extra, says",
    [
        (lambda d: str(d / "missing.py"), [], "no such file"),
        (lambda d: str(d), [], "is not a file"),
        (lambda d: _write(d / "b.py", b"\x00\x01binary"), [], "looks like a binary file"),
        (lambda d: _write(d / "l.py", "x = 'é'\n".encode("latin-1")), [], "not UTF-8"),
        (lambda d: _write(d / "ok.py", b"pass\n"), ["--timeout", "0"], "--timeout must be"),
        (lambda d: _write(d / "ok.py", b"pass\n"), ["--memory", "-5"], "--memory must be"),
    ],
    ids=["missing", "folder", "binary", "latin1", "zero_timeout", "negative_memory"],
)
def test_inspect_usage_errors_exit_2_with_a_message(tmp_path, capsys, make, extra, says):
    assert main(["inspect", make(tmp_path), *extra]) == 2
    err = capsys.readouterr().err
    assert says in err and err.startswith("modbox inspect: ")


def test_inspect_bad_flag_value_exits_2(learner_file, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", learner_file("pass\n"), "--timeout", "soon"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", learner_file("pass\n"), "--sandbox", "docker"])
    assert exit_.value.code == 2


def test_inspect_bad_environment_tier_exits_2(learner_file, capsys, monkeypatch):
    monkeypatch.setenv("MODBOX_SANDBOX", "vm")
    assert main(["inspect", learner_file("pass\n")]) == 2
    assert "MODBOX_SANDBOX='vm' is not a sandbox tier" in capsys.readouterr().err


@pytest.mark.slow
def test_doctor_reports_python_torch_cuda_tier_and_highlighting(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for word in ("Python", "torch", "2.13", "CUDA", "not available", "sandbox", "textual",
                 "highlighting", "works"):
        assert word in out, word
    assert "not used:" in out  # why the other tiers were not chosen
    # What each tier confines, measured by a probe run in it: one row per tier available here
    from modbox.sandbox.host.tiers import TIERS, problems_by_tier

    table = out[out.index("what each tier confines, measured"):]
    assert all(word in table for word in ("reads", "writes", "network", "processes"))
    for tier in TIERS:
        assert (f"\n  {tier} " in table) == (not problems_by_tier()[tier]), (tier, table)


def _write(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("source, line", [
    ("x = 1\n\nraise ValueError('bad value')\n", 3),
    ("import time\nx = 1\ntime.sleep(5)\n", 3),
    ("x = 1\nimport sys\nsys.exit(2)\n", 3),
    ("x = 1\ndef f(:\n    pass\n", 2),
])
def test_inspect_names_the_failing_line_once(learner_file, capsys, source, line):
    path = learner_file(source)
    assert main(["inspect", path, "--timeout", "1", "--sandbox", "plain"]) == 1
    outcome = next(ln for ln in capsys.readouterr().out.splitlines() if f"line {line}" in ln)
    assert outcome.count(f"line {line}") == 1, outcome
