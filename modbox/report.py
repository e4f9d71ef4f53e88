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

SCHEMA = 1

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
)
# Report.tampering holds findings of one more kind, "tampering": what the program changed in
# torch or builtins, or its classes that describe themselves (see modbox/probe/sealed.py).

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


def _from_jsonable(tp: Any, data: Any) -> Any:
    """Build ``tp`` from JSON data, ignoring keys it does not know (newer producers)."""
    if data is None:
        return None
    if dataclasses.is_dataclass(tp):
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
