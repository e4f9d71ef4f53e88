"""The terminal printer: tree, totals, findings, events and output, as plain text."""

from __future__ import annotations

import io

from rich.console import Console

from modbox import render
from modbox.report import Error, Event, Finding, Model, ModuleRow, Report


def printed(report: Report, events: int = 10, width: int = 140) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False)
    render.print_report(report, console, events=events)
    return out.getvalue()


def row(path, cls, depth, own=0, total=0, **kw):
    return ModuleRow(path=path, cls=cls, depth=depth, own_params=own, total_params=total,
                     trainable=kw.pop("trainable", "all" if total else "none"),
                     training=kw.pop("training", True), **kw)


def model_with(rows, **kw):
    return Model(name="model", cls=rows[0].cls, total_params=rows[0].total_params,
                 trainable_params=rows[0].total_params, param_bytes=4 * rows[0].total_params,
                 buffer_bytes=0, modules=rows, **kw)


NESTED = [
    row("", "Net", 0, 0, 26),
    row("enc", "Sequential", 1, 0, 20),
    row("enc.0", "Linear", 2, 20, 20, output_shape=[3, 4], devices=["cpu"], dtypes=["float32"]),
    row("enc.1", "ReLU", 2),
    row("head", "Linear", 1, 6, 6, trainable="none", training=False),
]


def test_tree_prefixes_draw_siblings_and_last_children():
    assert render.tree_prefixes(NESTED) == ["", "├─ ", "│  ├─ ", "│  └─ ", "└─ "]


def test_model_table_has_counts_trainable_mode_shapes_and_torchinfo_totals():
    text = printed(Report(ok=True, models=[model_with(NESTED)]))
    lines = text.splitlines()
    enc0 = next(line for line in lines if "├─ 0" in line)
    assert "Linear" in enc0 and "[3, 4]" in enc0 and "20" in enc0 and "float32" in enc0
    head = next(line for line in lines if "└─ head" in line)
    assert head.split()[-4:-2] == ["no", "eval"]
    assert "Total params: 26" in text and "Trainable params: 26" in text
    assert "Non-trainable params: 0" in text and "Params size: 104 B" in text


def test_shared_modules_say_where_else_they_are():
    rows = [row("", "Sequential", 0, 0, 6), row("0", "Linear", 1, 6, 6, shared_with=["2"]),
            row("1", "ReLU", 1), row("2", "Linear", 1, 6, 6, shared_with=["0"])]
    text = printed(Report(ok=True, models=[model_with(rows)]))
    assert "0 (same object as 2)" in text and "2 (same object as 0)" in text


def test_long_models_are_cut_with_a_count():
    rows = [row("", "Sequential", 0, 0, 0)] + [row(str(i), "ReLU", 1) for i in range(500)]
    text = printed(Report(ok=True, models=[model_with(rows)]))
    assert f"... {501 - render.MAX_ROWS:,} more modules" in text


def test_findings_warnings_first_with_line_numbers():
    findings = [
        Finding("shared_parameter", "info", "emb", "Tied, counted once.", 3),
        Finding("unregistered_module", "warning", "", "A plain list [bold]x[/bold].", 12),
    ]
    text = printed(Report(ok=True, models=[model_with(NESTED, findings=findings)]))
    warning = text.index("⚠ unregistered_module")
    assert warning < text.index("• shared_parameter  model.emb  line 3")
    assert "line 12" in text and "[bold]x[/bold]" in text  # learner text is never markup


def test_findings_read_the_same_in_modbox_inspect_and_the_findings_pane():
    from modbox.presentation import finding_text, ranked_findings
    from modbox.ui.widgets.findings_pane import STYLES

    findings = [Finding("shared_parameter", "info", "emb", "Tied, counted once.", 3),
                Finding("direct_forward", "warning", "fc", "fc.forward(...) was called directly.", 7)]
    report = Report(ok=True, models=[model_with(NESTED, findings=findings)])
    text = printed(report)
    for model, finding in ranked_findings(report):
        assert finding_text(model, finding, STYLES).plain in text


def test_events_show_the_last_n_with_their_totals():
    events = [Event(seq=i, kind="forward", path="fc", model="model", cls="Linear",
                    outputs=[[2, 3]], duration_us=1.5) for i in range(1, 31)]
    events.append(Event(seq=31, kind="optimizer_step", model="model", cls="SGD",
                        detail={"changed": ["fc.weight"], "unchanged": ["late.weight"]}))
    report = Report(ok=True, events=events, events_total=40, events_dropped=9)
    text = printed(report, events=5)
    assert "last 5 of 40 events (9 not kept)" in text
    assert "#27" in text and "#26 " not in text
    assert "model.fc (Linear)  out [2, 3]  1.5 µs" in text
    assert "step changed 1 parameters; not changed: late.weight" in text
    assert "#" not in printed(report, events=0).split("sandbox")[0]


def test_error_and_learner_output_are_plain_text_without_escape_sequences():
    report = Report(
        ok=False,
        error=Error(kind="exception", message="RuntimeError: [red]boom[/red]", line=4,
                    traceback='  File "main.py", line 4\n'),
        stdout="hello \x1b[31mred\x1b[0m [blue]x[/blue]\n",
        stderr="warn\x07ing\n",
        stdout_dropped=10,
    )
    text = printed(report)
    assert "exception: RuntimeError: [red]boom[/red] (line 4)" in text
    assert "hello red [blue]x[/blue]" in text and "\x1b" not in text
    assert "warning" in text
    assert "... 10 more bytes not shown" in text


def test_counts_are_never_cut_on_a_narrow_terminal():
    rows = [
        row("", "Net", 0, 0, 123_456_789),
        row("lstm", "LSTM", 1, 123_456_789, 123_456_789,
            output_shape=[[2, 4, 8], [[1, 2, 8], [1, 2, 8]]], devices=["cpu"], dtypes=["float32"]),
    ]
    text = printed(Report(ok=True, models=[model_with(rows)]), width=80)
    lstm = next(line for line in text.splitlines() if "lstm" in line)
    assert "123,456,789" in lstm and "…" in lstm  # the long shape is cut, the counts are not


def test_events_read_the_same_in_modbox_inspect_and_the_hooks_pane():
    from modbox.report import Event
    from modbox.ui.widgets.hooks_pane import event_text as pane_line

    def inspect_line(event):
        (line,) = [ln for ln in printed(Report(ok=True, events=[event]), width=400).splitlines()
                   if ln.startswith("#")]
        return line.rstrip()

    cases = [
        (Event(seq=3, kind="zero_grad", model="model", cls="SGD", line=12,
               detail={"by": "optimizer", "set_to_none": False}),
         "optimizer.zero_grad() on line 12: gradients filled with zeros"),
        (Event(seq=4, kind="save", line=14, cls="OrderedDict",
               detail={"what": "state_dict", "file": "w.pt", "keys": ["weight"], "key_count": 2}),
         "torch.save w.pt on line 14: a state_dict of 2 keys"),
        (Event(seq=5, kind="load", line=15, detail={"file": "m.pt", "error": "UnpicklingError: no\nmore"}),
         "torch.load m.pt on line 15 raised UnpicklingError: no"),
        (Event(seq=6, kind="load_state_dict", model="model", cls="Net", line=16,
               detail={"strict": False, "assign": False, "missing": ["fc.bias"], "unexpected": [],
                       "missing_count": 1, "unexpected_count": 0}),
         "(strict=False) on line 16: 1 missing, 0 unexpected keys"),
        (Event(seq=7, kind="forward", model="model", path="fc", cls="Linear", outputs=[[1, 2]],
               grad_enabled=False), "no_grad"),
        (Event(seq=8, kind="direct_forward", model="model", path="fc", cls="Linear", line=9),
         "model.fc (Linear)  .forward() called directly on line 9, so its hooks did not run"),
        (Event(seq=9, kind="forward", cls="Linear", outputs=[[1, 2]], line=20),
         "(not in a model) (Linear)  out [1, 2]  line 20"),
        (Event(seq=10, kind="hook", model="model", path="fc", hook="show", hook_kind="forward", line=5),
         "your forward hook show (registered on line 5)"),
    ]
    for event, words in cases:
        assert inspect_line(event).endswith(words), inspect_line(event)
        assert pane_line(event).plain == inspect_line(event)
