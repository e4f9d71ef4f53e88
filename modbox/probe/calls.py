"""Module calls as events: forward_pre/forward for every call (with whether autograd was
recording: ``grad_enabled``, False under ``torch.no_grad()``), backward_pre/backward when
gradients flow, and ``direct_forward`` when ``module.forward(...)`` bypassed ``__call__``.

Forward events come from PyTorch's global forward hooks. Backward events do not use global
full backward hooks: those wrap every module's inputs and outputs in ``BackwardHookFunction``
nodes, which makes ``nn.ReLU(inplace=True)`` fail during forward and costs ~30 µs per module.
Instead each call notes the autograd node that produced its output (gradients w.r.t. the
output ready: ``backward_pre``) and the one that produced its input (gradients w.r.t. the input
complete: ``backward``). Only the outermost call's output node gets a pre-hook; when a
backward pass reaches it, the noted nodes get theirs. A forward pass that is never
backpropagated costs one hook, nothing is kept beyond the graph's own lifetime, and the
learner's tensors are never touched.

Every hook swallows its own errors: the learner must never see the probe in a traceback.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections import deque

import torch
from torch.nn.modules import module as _module_mod

from modbox.probe import stats as _stats
from modbox.probe.index import PathIndex
from modbox.probe.session import Session
from modbox.probe.values import device_name, dtype_name, first_tensor, shape_of, tensors_in

_MODULE_FILE = _module_mod.__file__
_Tensor = torch.Tensor
_now = time.perf_counter_ns
_grad_enabled = torch.is_grad_enabled
_RECENT = 32  # finished calls of the current outermost call kept, to find who produced an input


class _CompilingFlag:
    """For a torch without ``torch.compiler._is_compiling_flag``."""

    @property
    def _is_compiling_flag(self) -> bool:
        return torch.compiler.is_compiling()


# True while dynamo traces or export runs: the hooks stay out of compiled graphs. Reading the
# flag costs a third of calling torch.compiler.is_compiling() on the per-call path.
_compiler = torch.compiler if hasattr(torch.compiler, "_is_compiling_flag") else _CompilingFlag()
_dtype = dtype_name
_COMPILE_WARNING = r"Using `torch\.compile\(module\)` when there are global hooks"


class CallRecorder:
    """Hooked (``hook``) and switched on (``switch_on``) apart, like ``Patches``: switched off,
    its hooks return at once."""

    def __init__(self, session: Session, index: PathIndex):
        self.on = False
        self._handles: list = []
        self._filter = None
        self.bind(session, index)

    def bind(self, session: Session, index: PathIndex) -> None:
        """Report to this run's session from now on."""
        self.s = session
        self.index = index
        self.stack: list[tuple] = []  # (module, entry, start ns, args) of calls in progress
        self._pending: list[tuple] = []  # (node, kind, entry, has grads) of the outermost call
        self._last_direct = None
        self._emit = session.emit
        self._last_output = session.facts.last_output
        self._values = session.values
        self._recent: deque = deque(maxlen=_RECENT)  # (entry, output shape) of finished calls

    def install(self) -> None:
        self.hook()
        self.switch_on()

    def uninstall(self) -> None:
        self.switch_off()
        self.unhook()

    def hook(self) -> None:
        self._handles = [
            _module_mod.register_module_forward_pre_hook(self._pre),
            _module_mod.register_module_forward_hook(self._post, always_call=True),
        ]

    def unhook(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def switch_on(self) -> None:
        # OptimizedModule warns on every call while any global hook exists; these are ours
        warnings.filterwarnings("ignore", message=_COMPILE_WARNING)
        self._filter = warnings.filters[0]
        self.on = True

    def switch_off(self) -> None:
        self.on = False
        self._last_direct = None
        self._pending = []
        self.stack = []
        self._recent.clear()
        if self._filter in warnings.filters:
            warnings.filters.remove(self._filter)
            warnings._filters_mutated()

    def active(self, module) -> bool:
        """Whether ``module.__call__`` is running right now."""
        return any(call[0] is module for call in self.stack)

    def _pre(self, module, args):
        if not self.on or _compiler._is_compiling_flag:
            return None
        try:
            entry = self.index.entry(module)
            stack = self.stack
            if not stack:
                self._pending = []
                self._recent.clear()
            if entry[4] and (not stack or id(stack[-1][0]) not in entry[4]):
                self._check_direct_forward(entry[4])
            if len(args) == 1 and type(args[0]) is _Tensor:
                t = args[0]
                try:
                    inputs = [t.shape]  # a torch.Size is a tuple: JSON writes it as a list
                except Exception:  # a nested (ragged) tensor has no single shape
                    inputs = [None]
            else:
                t = first_tensor(args)
                inputs = [shape_of(a) for a in args]
            if t is None:
                self._emit({"kind": "forward_pre", "obj": id(module), "path": entry[2], "model": entry[1],
                            "class": entry[3], "inputs": inputs, "grad_enabled": _grad_enabled()})
            else:
                self._emit({"kind": "forward_pre", "obj": id(module), "path": entry[2], "model": entry[1],
                            "class": entry[3], "inputs": inputs, "dtype": _dtype(t.dtype),
                            "device": "cpu" if t.is_cpu else device_name(t.device),
                            "grad_enabled": _grad_enabled()})
            if not _grad_enabled() and id(module) not in self.s.facts.no_grad_lines:
                self.s.facts.no_grad_lines[id(module)] = self.s.learner_line()
            if self.s.global_hooks:  # PyTorch runs global hooks first, then the module's
                self._learner_hooks(entry, _module_mod._global_forward_pre_hooks)
            if module._forward_pre_hooks and self.s.hooks:
                self._learner_hooks(entry, module._forward_pre_hooks)
            stack.append((module, entry, _now(), args))
        except Exception:  # still open the call, so that its forward event pairs up
            stack = self.stack
            if not stack or stack[-1][0] is not module:
                stack.append((module, (module, "", "", type(module).__name__, ()), _now(), args))
        return None

    def _post(self, module, args, output):
        if not self.on or _compiler._is_compiling_flag:
            return None
        end = _now()
        try:
            stack = self.stack
            call = stack.pop() if stack else None
            while call is not None and call[0] is not module:  # a call that raised inside
                call = stack.pop() if stack else None
            if call is None:
                return None
            entry = call[1]
            if output is None:
                failed = sys.exc_info()[1]
                if failed is not None:  # forward raised: the innermost call sees it first
                    self._failed(module, entry, failed, args)
                    return None
            if type(output) is _Tensor:
                t = output
                try:
                    shape = t.shape
                except Exception:  # a nested (ragged) tensor has no single shape
                    shape = None
                outputs = [shape]
            else:
                t = first_tensor(output)
                shape = shape_of(output)
                outputs = [shape] if isinstance(output, _Tensor) else shape or []
            self._last_output[id(module)] = (type(module), shape)  # a lazy layer changes class in its first call
            failure = self.s.facts.failure
            if failure is not None and failure["module"] is module:
                self.s.facts.failure = None  # it works now: the learner caught and fixed it
            grad = _grad_enabled()
            if t is not None and _stats.ENABLED:
                try:
                    self._values.output(module, entry, t, args,
                                        self._recent[-1][0] if self._recent else None, grad, stack)
                except Exception:  # a tensor the statistics cannot read (nested, sparse, ...)
                    pass
            self._recent.append((entry, shape))
            if t is None:
                self._emit({"kind": "forward", "obj": id(module), "path": entry[2], "model": entry[1],
                            "class": entry[3], "outputs": outputs,
                            "duration_us": (end - call[2]) / 1000, "grad_enabled": grad})
            else:
                self._emit({"kind": "forward", "obj": id(module), "path": entry[2], "model": entry[1],
                            "class": entry[3], "outputs": outputs,
                            "duration_us": (end - call[2]) / 1000, "dtype": _dtype(t.dtype),
                            "device": "cpu" if t.is_cpu else device_name(t.device),
                            "grad_enabled": grad})
                if t.requires_grad and grad:
                    self._note_nodes(entry, t, args)
            if self.s.global_hooks:
                self._learner_hooks(entry, _module_mod._global_forward_hooks)
            if module._forward_hooks and self.s.hooks:
                self._learner_hooks(entry, module._forward_hooks)
            if not stack and self._pending:
                self._arm(output)
        except Exception:
            pass
        return None

    def _failed(self, module, entry, error: BaseException, args) -> None:
        facts = self.s.facts
        failure = facts.failure
        if failure is not None and failure["error"] is error:
            return  # an outer call of the one that raised
        facts.failure = {
            "error": error,
            "module": module,
            "entry": entry,
            "args": args,
            "inputs": [shape_of(a) for a in args],
            "dtypes": [_dtype(a.dtype) if isinstance(a, _Tensor) else None for a in args],
            "recent": list(self._recent),
            "grad_enabled": _grad_enabled(),
        }

    def _note_nodes(self, entry, output: _Tensor, args) -> None:
        out_node = output.grad_fn
        if out_node is None:
            return
        in_node = None
        for a in args:
            if isinstance(a, _Tensor):
                in_node = a.grad_fn
                if in_node is not None:
                    break
        pending = self._pending
        if in_node is None:  # no input needs a gradient: done as soon as the output's arrive
            pending.append((out_node, "backward", entry, False))
        else:
            pending.append((in_node, "backward", entry, True))
        pending.append((out_node, "backward_pre", entry, True))

    def _arm(self, output) -> None:
        """Hook the outermost call's output node(s); wire the noted nodes when backward
        reaches one. Items on the output nodes themselves are kept without their node, so
        that no node's hook refers back to it."""
        pending, self._pending = self._pending, []
        finals = []
        for t in tensors_in(output):
            node = t.grad_fn if t.requires_grad else None
            if node is not None and all(node is not f for f in finals):
                finals.append(node)
        if not finals:
            return
        ids = [id(final) for final in finals]
        at_final = [[item[1:] for item in pending if id(item[0]) == key] for key in ids]
        rest = [item for item in pending if id(item[0]) not in ids]
        wired = [False]
        for k, final in enumerate(finals):
            final.register_prehook(self._final_hook(at_final[k], rest, wired))

    def _final_hook(self, here: list, rest: list, wired: list):
        emit_items = self._emit_items

        def reached(grads):
            try:
                if not wired[0]:
                    wired[0] = True
                    self._wire(rest)
                    rest.clear()
                emit_items(reversed(here), grads)
            except Exception:
                pass

        return reached

    def _wire(self, items: list) -> None:
        """One pre-hook per node; it fires that node's events newest first, so the consumer of
        a tensor learns its input gradients before the producer sees its output gradients,
        the order PyTorch's own module hooks report."""
        hubs: dict[int, tuple] = {}
        for node, kind, entry, has_grads in items:
            hub = hubs.get(id(node))
            if hub is None:
                hubs[id(node)] = (node, [(kind, entry, has_grads)])
            else:
                hub[1].append((kind, entry, has_grads))
        emit_items = self._emit_items
        for node, queued in hubs.values():

            def fire(grads, queued=queued):
                try:
                    emit_items(reversed(queued), grads)
                except Exception:
                    pass

            node.register_prehook(fire)

    def _emit_items(self, items, grads) -> None:
        emit = self._emit
        for kind, entry, has_grads in items:
            shapes = [shape_of(g) for g in grads] if has_grads else [None]
            emit({"kind": kind, "path": entry[2], "model": entry[1], "class": entry[3],
                  "outputs" if kind == "backward_pre" else "inputs": shapes})
            module = entry[0]
            pre = kind == "backward_pre"
            if self.s.global_hooks:
                self._learner_hooks(
                    entry,
                    _module_mod._global_backward_pre_hooks if pre else _module_mod._global_backward_hooks,
                )
            hooks = module._backward_pre_hooks if pre else module._backward_hooks
            if hooks and self.s.hooks:
                self._learner_hooks(entry, hooks)

    def _learner_hooks(self, entry, hooks: dict) -> None:
        """``hook`` events for the learner's hooks in ``hooks``, which PyTorch runs next."""
        registry = self.s.hooks
        for hook_id in list(hooks):
            found = registry.get(hook_id)
            if found is not None:
                self.s.emit(
                    {
                        "kind": "hook",
                        "path": entry[2],
                        "model": entry[1],
                        "class": entry[3],
                        "hook": found[0],
                        "hook_kind": found[1],
                        "line": found[2],
                    }
                )

    def _check_direct_forward(self, parent_ids) -> None:
        """A child runs but its parent's ``__call__`` does not: was ``parent.forward`` called?"""
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename == _MODULE_FILE:
            frame = frame.f_back
        if frame is None or frame.f_code.co_name != "forward":
            return
        owner = frame.f_locals.get("self")
        if owner is None or id(owner) not in parent_ids or self.active(owner):
            return
        if frame is self._last_direct:  # another child of the same forward call
            return
        # Holding the frame keeps its id from being reused by the next call's frame.
        self._last_direct = frame
        line = None
        caller = frame.f_back
        while caller is not None:
            if caller.f_code.co_filename == self.s.filename:
                line = caller.f_lineno
                break
            caller = caller.f_back
        entry = self.index.entry(owner)
        self.s.facts.direct_forward.setdefault(id(owner), line)
        self.s.emit(
            {
                "kind": "direct_forward",
                "path": entry[2],
                "model": entry[1],
                "class": entry[3],
                "line": line,
            }
        )
