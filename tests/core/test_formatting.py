"""One spelling of counts, sizes, shapes and "nothing" for the terminal printer and the panes."""

from __future__ import annotations

import io

from rich.console import Console

from modbox import formatting as fmt
from modbox import render
from modbox.report import Model, ModuleRow, ParameterRow, Report
from modbox.ui.widgets import parameters_pane


def test_sizes_are_binary_units():
    assert fmt.size(0) == "0 B"
    assert fmt.size(1023) == "1,023 B"
    assert fmt.size(1536) == "1.50 KiB"
    assert fmt.size(3 << 20) == "3.00 MiB"
    assert fmt.size(5 << 30) == "5.00 GiB"
    assert fmt.size(2048 << 30) == "2,048.00 GiB"


def test_counts_shapes_and_nothing():
    assert fmt.count(1234567) == "1,234,567" and fmt.signed(-1234) == "-1,234"
    assert fmt.shape([2, 10]) == "[2, 10]" and fmt.shape([[1, 2], [3]]) == "[[1, 2], [3]]"
    assert fmt.shape(None) == fmt.NONE == "--"
    assert fmt.shape([[2, 4], None]) == "[[2, 4], --]"  # a call's inputs: one has no shape


def _model(**kw) -> Model:
    row = ModuleRow(path="", cls="Linear", depth=0, own_params=384, total_params=384,
                    trainable="all", training=True)
    values = dict(name="model", cls="Linear", total_params=384, trainable_params=384,
                  param_bytes=1536, buffer_bytes=0, modules=[row])
    values.update(kw)
    return Model(**values)


def test_the_parameters_pane_and_modbox_inspect_print_the_same_totals():
    model = _model(lazy_params=2)
    out = io.StringIO()
    render.print_report(Report(ok=True, models=[model]),
                        Console(file=out, width=140, color_system=None), events=0)
    pane = parameters_pane.totals(model).plain
    assert "Params size: 1.50 KiB   Buffers size: 0 B" in pane
    for line in pane.splitlines():
        assert line in out.getvalue()


def test_nothing_reads_the_same_in_the_printer_and_the_panes():
    out = io.StringIO()
    render.print_report(Report(ok=True, models=[_model()]),
                        Console(file=out, width=140, color_system=None), events=0)
    linear = next(line for line in out.getvalue().splitlines() if "Linear" in line and "384" in line)
    assert linear.split().count(fmt.NONE) == 3  # no output shape, no devices, no dtypes
    assert " - " not in linear
