"""The Report: everything one run of learner code produced, as plain data.

The Report is the only thing that crosses the process boundary between the sandbox and the UI.
Every pane, every lesson check and ``modbox inspect --json`` read it, so the same file gives the
same answer everywhere. It imports neither torch nor textual.

Attributes mirror the JSON keys one to one, with a single exception: Python's keyword ``class``
is spelled ``cls`` on the dataclasses and ``"class"`` in JSON.

    >>> r = Report(ok=True, stdout="hi\\n")
    >>> Report.from_json(r.to_json()) == r
    True
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from dataclasses import dataclass, field
from typing import Any

SCHEMA = 2  # 2: values and gradients per module, the why-findings, memory estimates, tampering, objects

# What went wrong with a run. One name per concept: these strings appear in JSON, the UI,
# lesson checks (`outcome = "exception"`) and docs.
ERROR_KINDS = (
    "syntax",  # the source does not compile (line and column set)
    "exception",  # an uncaught exception (traceback trimmed to the learner's file)
    "timeout",  # the wall-clock limit ran out
    "cpu_limit",  # the CPU-time limit ran out
    "memory",  # the memory budget was exceeded
    "crash",  # killed by a signal (a segfault shows the learner's line)
    "exit",  # sys.exit() or os._exit() before the end
    "output_limit",  # printed far too much
    "sandbox",  # the sandbox itself failed (not the learner's fault)
)

# The silent bugs the probe looks for. See modbox/probe/findings.py for what each one means.
FINDING_KINDS = (
    "unregistered_module",
    "unregistered_parameter",
    "unregistered_tensor",
    "direct_forward",
    "module_created_in_forward",
    "optimizer_missing_params",
    "dtype_mismatch",
    "device_mismatch",
    "whole_model_saved",
    "shared_parameter",
    "lazy_uninitialized",
    "state_dict_prefix",
    # why the model fails or does not learn (modbox/probe/shapes.py, modbox/probe/diagnose.py)
    "shape_mismatch",
    "nan_or_inf",
    "dead_activation",
    "vanishing_gradient",
    "exploding_gradient",
    "no_gradient",
)
# Report.tampering holds findings of one more kind, "tampering": what the program changed in
# torch or builtins, or its classes that describe themselves (see modbox/probe/sealed.py).

# The findings that say why a model fails or does not learn; the panes mark their modules.
WHY_FINDINGS = ("shape_mismatch", "nan_or_inf", "dead_activation", "vanishing_gradient",
                "exploding_gradient", "no_gradient")

# Kinds of streamed events.
EVENT_KINDS = (
    "forward_pre",  # a module's __call__ is about to run forward
    "forward",  # forward returned (shapes, duration)
    "backward_pre",  # gradients w.r.t. a module's outputs are about to be computed
    "backward",  # gradients w.r.t. a module's inputs were computed
    "hook",  # one of the learner's own hooks fired
    "hook_removed",  # the learner removed one of their hooks
    "direct_forward",  # module.forward(...) was called directly: hooks skipped
    "optimizer_step",  # an optimizer stepped (which parameters changed)
    "zero_grad",  # optimizer.zero_grad() or module.zero_grad() (detail: by, set_to_none)
    "save",  # torch.save (detail: what = module, state_dict, dict or other; file; keys)
    "load",  # torch.load (detail: what, file, keys, weights_only; or error)
    "load_state_dict",  # module.load_state_dict (detail: strict, assign, missing, unexpected; or error)
)

# A function expressions evaluated after the run may call: copy_and_load(model, state_dict)
# loads the state_dict into a deep copy of the model with strict=False and gives
# {"missing": [...], "unexpected": [...]} (the learner's model never changes).
LOAD_HELPER = "copy_and_load"
# Functions of modbox/probe/differential.py the same way: compare_with_reference(spec) builds
# the learner's class and the lesson's reference side by side and compares them;
# compare_with_file(spec) loads a file the run wrote into a fresh reference instance and
# compares it with a model; compare_value_with_reference(spec) evaluates an expression in the
# program and in the solution and compares the two. All give {"ok": bool, "message": str}.
COMPARE_HELPER = "compare_with_reference"
FILE_HELPER = "compare_with_file"
VALUE_HELPER = "compare_value_with_reference"

# What a module reports about itself: a learner's class that defines one of these makes the
# checks read what it chooses to say (a "tampering" finding, unless the lesson allows it).
OVERRIDABLE = (
    "named_parameters", "parameters", "named_buffers", "buffers", "named_modules", "modules",
    "named_children", "children", "state_dict", "_save_to_state_dict", "load_state_dict",
    "_load_from_state_dict", "__getattr__", "__getattribute__", "__dir__", "__class__",
    "__call__", "_call_impl", "_wrapped_call_impl", "train", "eval", "_apply", "zero_grad",
    "register_forward_hook", "register_forward_pre_hook", "get_submodule", "get_parameter",
)
# And estimate_memory(model, "torch.randn(32, 3, 224, 224)") gives a MemoryEstimate's fields for
# a training step of the model (None: the program's first model) on that input, worked out
# with fake tensors (modbox/probe/memory.py); `modbox inspect --memory-for` asks for it.
MEMORY_HELPER = "estimate_memory"

def memory_expression(input_expr: str, model: str | None = None) -> str:
    """The expression that asks a run for a memory estimate of ``model`` (None: the first
    model) on the input ``input_expr`` builds."""
    return f"{MEMORY_HELPER}({model or 'None'}, {input_expr!r})"


def memory_from(report: Report, input_expr: str, model: str | None = None) -> MemoryEstimate:
    """The estimate a run gave for ``memory_expression(input_expr, model)``, or one whose
    ``error`` says why there is none."""
    value = report.value(memory_expression(input_expr, model))
    if value is None:
        return MemoryEstimate(model=model or "", input=input_expr,
                              error="not worked out: the program did not run to the end")
    if not value.ok or not isinstance(value.value, dict):
        return MemoryEstimate(model=model or "", input=input_expr, error=value.repr)
    return _from_jsonable(MemoryEstimate, value.value)


# Python names that JSON spells differently.
_JSON_NAMES = {"cls": "class"}


@dataclass
class Error:
    kind: str
    message: str  # one line a learner understands: what happened, and what to try
    line: int | None = None  # 1-based line in the learner's file, when known
    column: int | None = None
    traceback: str = ""  # trimmed to the learner's own file


@dataclass
class ModuleRow:
    """One entry of ``named_modules()``: ``path`` is the dotted path, "" for the root."""

    path: str
    cls: str
    depth: int
    own_params: int
    total_params: int
    trainable: str  # "all", "none", "partial"; "none" for a module without parameters
    training: bool
    devices: list[str] = field(default_factory=list)
    dtypes: list[str] = field(default_factory=list)
    output_shape: Any = None  # from the last call seen, e.g. [2, 10]; nested lists for tuples
    shared_with: list[str] = field(default_factory=list)  # other paths of the same object


@dataclass
class ParameterRow:
    name: str
    shape: list[int]
    numel: int
    dtype: str
    device: str
    requires_grad: bool
    has_grad: bool
    lazy: bool = False
    tied_to: list[str] = field(default_factory=list)  # other names of the same tensor


@dataclass
class BufferRow:
    name: str
    shape: list[int]
    dtype: str
    device: str
    persistent: bool


@dataclass
class Finding:
    kind: str  # one of FINDING_KINDS
    severity: str  # "warning" or "info"
    path: str  # module path the finding is about ("" for the root)
    message: str  # one plain sentence: what is wrong and the fix
    line: int | None = None  # the learner's source line, when known
    name: str = ""  # tampering: what was changed (``torch.equal``) or overridden (``state_dict``)


@dataclass
class Histogram:
    """Counts of finite values in equal bins from ``lo`` to ``hi`` (a sample of large tensors)."""

    lo: float
    hi: float
    counts: list[int] = field(default_factory=list)


@dataclass
class OutputStats:
    """Statistics of one forward call's output (its first tensor), over its finite values."""

    call: int  # which call of the module, from 0
    step: int  # optimizer steps taken before the call
    numel: int
    sampled: bool = False  # statistics from an even sample of a large output
    mean: float | None = None  # None when no value is finite
    std: float | None = None
    min: float | None = None
    max: float | None = None
    zeros: float = 0.0  # fraction of values that are exactly 0
    nan: int = 0  # NaN values (counted over the whole output)
    inf: int = 0  # +Inf and -Inf values
    input_zeros: float | None = None  # fraction of exact zeros in the first input (a tensor)


@dataclass
class ModuleValues:
    """What one module returned over the run: a thinned-out series of its calls."""

    path: str
    cls: str
    calls: int  # forward calls in the run
    outputs: list[OutputStats] = field(default_factory=list)  # at most 64, evenly spaced calls
    histogram: Histogram | None = None  # of the latest output in ``outputs``


@dataclass
class GradNorm:
    backward: int  # which backward pass that reached the model, from 0
    step: int  # optimizer steps taken before it
    norm: float | None  # L2 norm of the parameter's .grad after the pass; None if not finite


@dataclass
class ParameterValues:
    name: str
    grad_norms: list[GradNorm] = field(default_factory=list)  # at most 64, evenly spaced passes
    histogram: Histogram | None = None  # of the parameter's values at the end of the run


@dataclass
class MemoryPart:
    """Bytes of one kind of tensor in a training step, split by dtype."""

    what: str  # parameters, gradients, optimizer_state, activations, input
    bytes: int
    by_dtype: dict[str, int] = field(default_factory=dict)


@dataclass
class MemoryEstimate:
    """Memory of one training step (forward, backward, optimizer step) of ``model`` on
    ``input``, worked out with fake tensors: nothing was allocated."""

    model: str
    input: str  # the expression the input came from
    input_shape: list = field(default_factory=list)
    parts: list[MemoryPart] = field(default_factory=list)  # optimizer_state for ``optimizer``
    optimizer: str = ""  # the optimizer the state and the peak are for
    peaks: dict[str, int] = field(default_factory=dict)  # optimizer -> peak bytes of a step
    peak: int = 0  # peaks[optimizer]
    notes: list[str] = field(default_factory=list)  # what the estimate leaves out for this model
    error: str = ""  # why there is no estimate


@dataclass
class Model:
    """One top-level nn.Module of the learner's namespace."""

    name: str  # the variable it is bound to
    cls: str
    total_params: int  # each tensor once; lazy ones left out
    trainable_params: int
    param_bytes: int
    buffer_bytes: int
    lazy_params: int = 0  # how many parameter tensors are still uninitialized
    modules: list[ModuleRow] = field(default_factory=list)
    modules_omitted: int = 0  # paths beyond the listing limit (a module shared at every level)
    parameters: list[ParameterRow] = field(default_factory=list)
    buffers: list[BufferRow] = field(default_factory=list)
    state_dict_keys: list[str] = field(default_factory=list)  # in state_dict() order
    state_dict_shapes: dict[str, list[int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    values: list[ModuleValues] = field(default_factory=list)  # per module that ran
    grads: list[ParameterValues] = field(default_factory=list)  # per parameter
    backwards: int = 0  # backward passes that gave the model's parameters gradients


@dataclass
class Event:
    """One thing that happened while the learner's code ran, in order (``seq``)."""

    seq: int
    kind: str  # one of EVENT_KINDS
    path: str = ""  # dotted module path within its model
    model: str = ""  # the top-level model's variable name, when known
    cls: str = ""
    inputs: list = field(default_factory=list)  # shapes, e.g. [[2, 4]]
    outputs: list = field(default_factory=list)
    dtype: str = ""
    device: str = ""
    duration_us: float | None = None
    hook: str = ""  # the learner's hook function, for "hook" and "hook_removed"
    hook_kind: str = ""  # forward_pre, forward, backward_pre, backward, ...
    line: int | None = None  # learner's source line, when known
    detail: dict = field(default_factory=dict)  # kind-specific extras (e.g. changed params)
    grad_enabled: bool | None = None  # forward_pre, forward: whether autograd was recording
    # id() of the module or optimizer the event is about (forward_pre, forward, zero_grad,
    # optimizer_step, load_state_dict): matched against Report.objects
    obj: int | None = None


@dataclass
class Value:
    """An expression a lesson check asked about, evaluated in the program's final namespace
    after it ran to the end (see modbox/probe/evaluate.py)."""

    expr: str
    ok: bool  # evaluated without raising
    value: Any = None  # as JSON data when plain (numbers, strings, lists, ...); else None
    truthy: bool = False  # bool(value)
    repr: str = ""  # the value's short repr, or the exception: "NameError: name 'x' is not defined"


@dataclass
class Timing:
    run: float = 0.0  # ms the learner's code took inside the child
    total: float = 0.0  # ms from the request to the finished Report


@dataclass
class Report:
    ok: bool = False
    error: Error | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_dropped: int = 0  # bytes not kept
    stderr_dropped: int = 0
    models: list[Model] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    events_total: int = 0  # how many happened
    events_dropped: int = 0  # how many were not kept
    values: list[Value] = field(default_factory=list)  # expressions evaluated after the run
    # what the program changed in torch or builtins, or its classes that describe themselves
    # (findings of kind "tampering"): no check can trust such a run
    tampering: list[Finding] = field(default_factory=list)
    # id() of each module or optimizer left in a top-level variable, by name: whose events are
    # whose (an events check's `of`)
    objects: dict[str, int] = field(default_factory=dict)
    memory: MemoryEstimate | None = None  # when the run asked for one (inspect --memory-for)
    sandbox: str = ""  # isolation tier: bwrap, landlock or plain
    timing: Timing = field(default_factory=Timing)
    schema: int = SCHEMA

    def model(self, name: str | None = None) -> Model | None:
        """The model bound to ``name``, or the first one (``model`` comes first) when name is None."""
        if name is None:
            return self.models[0] if self.models else None
        return next((m for m in self.models if m.name == name), None)

    def value(self, expr: str) -> Value | None:
        """The answer to ``expr``, when this run evaluated it."""
        return next((v for v in self.values if v.expr == expr), None)

    def to_dict(self) -> dict:
        return _to_jsonable(self)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        return _from_jsonable(cls, data)

    @classmethod
    def from_json(cls, text: str) -> Report:
        return cls.from_dict(json.loads(text))


def _to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {
            _JSON_NAMES.get(f.name, f.name): _to_jsonable(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
        }
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _to_jsonable(v) for k, v in obj.items()}
    return obj


@functools.cache
def _type_hints(tp: type) -> dict[str, Any]:
    # get_type_hints compiles every string annotation again on each call: a small model's
    # report cost 2 ms of it, most of what the client spends on a run.
    return typing.get_type_hints(tp)


_PLAIN = (int, float, str, bool, type(None))


@functools.cache
def _flat_fields(tp: type) -> tuple[tuple[str, str], ...] | None:
    """(attribute, JSON key) of a dataclass whose fields all hold plain values (numbers,
    strings, None), which JSON gives as they are; None for one with nested fields."""
    hints = _type_hints(tp)
    for f in dataclasses.fields(tp):
        hint = hints[f.name]
        kinds = typing.get_args(hint) if typing.get_origin(hint) in (
            typing.Union, getattr(__import__("types"), "UnionType", None)) else (hint,)
        if not all(k in _PLAIN for k in kinds):
            return None
    return tuple((f.name, _JSON_NAMES.get(f.name, f.name)) for f in dataclasses.fields(tp))


def _from_jsonable(tp: Any, data: Any) -> Any:
    """Build ``tp`` from JSON data, ignoring keys it does not know (newer producers)."""
    if data is None:
        return None
    if dataclasses.is_dataclass(tp):
        flat = _flat_fields(tp)
        if flat is not None:  # the statistics: thousands of small records, built directly
            return tp(**{name: data[key] for name, key in flat if key in data})
        hints = _type_hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            key = _JSON_NAMES.get(f.name, f.name)
            if key in data:
                kwargs[f.name] = _from_jsonable(hints[f.name], data[key])
        return tp(**kwargs)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list and args:
        return [_from_jsonable(args[0], x) for x in data]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        return _from_jsonable(inner[0], data) if len(inner) == 1 else data
    return data
