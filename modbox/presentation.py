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
from modbox.report import WHY_FINDINGS, Event, Finding, MemoryEstimate, Model, ModuleRow, Report

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
    """(model name, finding) for every model, and the run's tampering (about no one model):
    warnings first, then infos, each by line."""
    found = [(m.name, f) for m in report.models for f in m.findings]
    found += [("", f) for f in report.tampering]
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


def faults(model: Model) -> dict[str, str]:
    """path -> the why-findings at that module, ``shape_mismatch, no_gradient``."""
    out: dict[str, list[str]] = {}
    for f in model.findings:
        if f.kind in WHY_FINDINGS:
            out.setdefault(f.path, []).append(f.kind)
    return {path: ", ".join(kinds) for path, kinds in out.items()}


# ---------------------------------------------------------------------------------- values

_BLOCKS = "▁▂▃▄▅▆▇█"
TREND_WIDTH = 16


def number(v: float | None) -> str:
    """Three significant digits; ``--`` for a value that is not there (not finite)."""
    return "--" if v is None else f"{v:.3g}"


def trend(values: list[float | None], width: int = TREND_WIDTH) -> str:
    """``▁▂▅█``: the series squeezed into at most ``width`` blocks, low to high (the mean of each
    of ``width`` equal slices); a blank for a missing value."""
    if not values:
        return ""
    if len(values) > width:
        step = len(values) / width
        slices = [values[int(i * step):max(int((i + 1) * step), int(i * step) + 1)] for i in range(width)]
        values = [_mean([v for v in part if v is not None]) for part in slices]
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    lo, hi = min(known), max(known)
    top = len(_BLOCKS) - 1
    return "".join(" " if v is None else _BLOCKS[round((v - lo) / (hi - lo) * top) if hi > lo else top // 2]
                   for v in values)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


# ---------------------------------------------------------------------------------- memory


def memory_lines(estimate: MemoryEstimate) -> list[tuple[str, str, str]]:
    """(label, size, detail) rows of an estimate: its parts, then the peak with each optimizer
    (``*`` marks the one it is for); detail splits a part by dtype when it has several."""
    rows = []
    for part in estimate.parts:
        label = part.what.replace("_", " ")
        if part.what == "optimizer_state":
            label += f" ({estimate.optimizer})"
        detail = ", ".join(f"{d} {fmt.size(n)}" for d, n in part.by_dtype.items()) if len(part.by_dtype) > 1 else ""
        rows.append((label, fmt.size(part.bytes), detail))
    for kind, peak in estimate.peaks.items():
        rows.append((f"peak with {kind}", fmt.size(peak), "*" if kind == estimate.optimizer else ""))
    return rows


def memory_heading(estimate: MemoryEstimate) -> str:
    if estimate.error:
        return f"No estimate for {estimate.input}: {estimate.error}"
    shapes = ", ".join(fmt.shape(s) for s in estimate.input_shape)
    return (f"{estimate.model} on {estimate.input} ({shapes}): one training step, worked out with "
            f"fake tensors, nothing allocated")


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


# ---------------------------------------------------------------------------------- sandbox


def sandbox_words(tier: str) -> str:
    """How a report names the sandbox tier it ran in. The plain tier confines neither reads nor
    the network (``modbox doctor`` measures it): it says so wherever it is named."""
    if tier == "plain":
        return "sandbox: plain (not isolated: your files can be read, the network reached)"
    return f"sandbox: {tier or 'unknown'}"
