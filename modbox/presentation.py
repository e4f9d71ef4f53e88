"""The words and the order of what a Report shows, in one place.

``modbox inspect`` (render.py) and the panes (ui/widgets) both build their lines here, so the same
finding, event or total reads the same in the terminal and in the app; each of them adds only
styling. A function that returns ``Text`` takes ``styles``, a map from a part's role ("kind",
"where", "line", ...) to a rich style; a role it does not name stays unstyled.

Plain Python and rich ``Text``: no torch, no textual.
"""

from __future__ import annotations

from typing import Mapping

from rich.text import Text

from modbox import formatting as fmt
from modbox.report import Event, Finding, Model, ModuleRow, Report

Styles = Mapping[str, str]
NO_STYLE: Styles = {}

NOT_IN_A_MODEL = "(not in a model)"  # a module no model variable of the program reaches
STATE_EVENTS = ("zero_grad", "save", "load", "load_state_dict")  # no module: their detail says what
_SEVERITY_ORDER = {"warning": 0, "info": 1}


# ---------------------------------------------------------------------------------- modules


def same_object_as(row: ModuleRow) -> str:
    """`` (same object as a, b)`` for a module registered under several paths, else ""."""
    return f" (same object as {', '.join(row.shared_with)})" if row.shared_with else ""


def totals(model: Model) -> list[str]:
    """torchinfo's footer, one line each. Tied tensors count once."""
    frozen = model.total_params - model.trainable_params
    lines = [
        f"Total params: {fmt.count(model.total_params)}",
        f"Trainable params: {fmt.count(model.trainable_params)}",
        f"Non-trainable params: {fmt.count(frozen)}",
        f"Params size: {fmt.size(model.param_bytes)}   Buffers size: {fmt.size(model.buffer_bytes)}",
    ]
    if model.lazy_params:
        lines.append(f"Not yet created (lazy): {model.lazy_params} parameter tensors")
    return lines


# ---------------------------------------------------------------------------------- findings


def ranked_findings(report: Report) -> list[tuple[str, Finding]]:
    """(model name, finding) for every model: warnings first, then infos, each by line."""
    found = [(m.name, f) for m in report.models for f in m.findings]
    return sorted(found, key=lambda mf: (_SEVERITY_ORDER.get(mf[1].severity, 2), mf[1].line or 0))


def finding_text(model: str, finding: Finding, styles: Styles = NO_STYLE) -> Text:
    """``⚠ kind  model.path  line N`` and the message on the next line, indented.

    Roles: "warning" or "info" (the marker), "kind", "where", "line"; the message is the probe's
    words, never markup."""
    warn = finding.severity == "warning"
    text = Text()
    text.append("⚠ " if warn else "• ", style=styles.get(finding.severity, ""))
    text.append(finding.kind, style=styles.get("kind", ""))
    where = ".".join(p for p in (model, finding.path) if p)
    if where:
        text.append(f"  {where}", style=styles.get("where", ""))
    if finding.line:
        text.append(f"  line {finding.line}", style=styles.get("line", ""))
    text.append(f"\n  {finding.message}")
    return text


# ---------------------------------------------------------------------------------- events


def event_where(e: Event) -> str:
    """The module an event happened in (``model.path``); "" for a state event without one."""
    where = ".".join(part for part in (e.model, e.path) if part)
    if where or e.kind in STATE_EVENTS:
        return where
    return NOT_IN_A_MODEL


def event_text(e: Event, styles: Styles = NO_STYLE) -> Text:
    """One line: ``#seq kind where (Class)`` and what the event says in words.

    Roles: "seq", "kind", "where", "cls", "detail"."""
    text = Text()
    text.append(f"#{e.seq:<6} ", style=styles.get("seq", ""))
    text.append(f"{e.kind:<15} ", style=styles.get("kind", ""))
    text.append(event_where(e), style=styles.get("where", ""))
    if e.cls:
        text.append(f" ({e.cls})", style=styles.get("cls", ""))
    text.append(event_detail(e), style=styles.get("detail", ""))
    return text


def event_detail(e: Event) -> str:
    """What an event says beyond its kind and module, in words, ending with the line it
    happened on when known."""
    no_grad = "  no_grad" if e.grad_enabled is False else ""
    at = f" on line {e.line}" if e.line else ""
    if e.kind == "hook":
        return f"  your {e.hook_kind} hook {e.hook} (registered{at})"
    if e.kind == "hook_removed":
        return f"  removed your {e.hook_kind} hook {e.hook}{at}"
    if e.kind == "direct_forward":
        return f"  .forward() called directly{at}, so its hooks did not run"
    if e.kind in STATE_EVENTS:
        return _state_event_detail(e, at)
    line = f"  line {e.line}" if e.line else ""
    typed = f" {e.dtype} {e.device}".rstrip() if e.dtype or e.device else ""
    if e.kind == "forward_pre":
        return f"  in {_shapes(e.inputs)}{typed}{no_grad}{line}"
    if e.kind == "forward":
        came_in = f"in {_shapes(e.inputs)} → " if e.inputs else ""
        took = f"  {e.duration_us:,.1f} µs" if e.duration_us is not None else ""
        return f"  {came_in}out {_shapes(e.outputs)}{typed}{took}{no_grad}{line}"
    if e.kind == "backward_pre":
        return f"  grad out {_shapes(e.outputs)}{line}"
    if e.kind == "backward":
        return f"  grad in {_shapes(e.inputs)}{line}"
    if e.kind == "optimizer_step":
        changed = e.detail.get("changed", [])
        unchanged = e.detail.get("unchanged", [])
        out = f"  step changed {len(changed)} parameters"
        if unchanged:
            listed = ", ".join(unchanged[:4]) + (" ..." if len(unchanged) > 4 else "")
            out += f"; not changed: {listed}"
        return out + line
    return line


def _state_event_detail(e: Event, at: str) -> str:
    d = e.detail
    if e.kind == "zero_grad":
        how = "set to None" if d.get("set_to_none", True) else "filled with zeros"
        return f"  {d.get('by', 'optimizer')}.zero_grad(){at}: gradients {how}"
    if e.kind in ("save", "load"):
        verb = "torch.save" if e.kind == "save" else "torch.load"
        file = f" {d['file']}" if d.get("file") else ""
        if "error" in d:
            return f"  {verb}{file}{at} raised {d['error'].splitlines()[0]}"
        what = {"module": "a whole module", "state_dict": "a state_dict",
                "dict": "a dict", "other": "an object"}.get(d.get("what"), "an object")
        count = f" of {d['key_count']} keys" if "key_count" in d else ""
        return f"  {verb}{file}{at}: {what}{count}"
    flags = f"strict={d.get('strict', True)}" + (", assign=True" if d.get("assign") else "")
    if "error" in d:
        return f"  ({flags}){at} raised {d['error'].splitlines()[0]}"
    missing, unexpected = d.get("missing_count", 0), d.get("unexpected_count", 0)
    if not missing and not unexpected:
        return f"  ({flags}){at}: every key matched"
    return f"  ({flags}){at}: {missing} missing, {unexpected} unexpected keys"


def _shapes(shapes: list) -> str:
    if not shapes:
        return fmt.NONE
    return ", ".join(fmt.shape(s) for s in shapes)
