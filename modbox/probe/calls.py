"""Module calls as events: forward_pre/forward for every call, backward_pre/backward when
gradients flow, and ``direct_forward`` when ``module.forward(...)`` bypassed ``__call__``.

Forward events come from PyTorch's global forward hooks. Backward events do not use global
full backward hooks: those wrap every module's inputs and outputs in ``BackwardHookFunction``
nodes, which makes ``nn.ReLU(inplace=True)`` fail during forward and costs ~30 µs per module.
Instead the forward hook adds a pre-hook to the autograd node that produced the module's
output (gradients w.r.t. the output are ready: ``backward_pre``) and to the node that produced
its input (gradients w.r.t. the input are complete: ``backward``). Nodes belong to one forward
pass, so nothing accumulates, and the learner's tensors are never touched.

Every hook swallows its own errors: the learner must never see the probe in a traceback.
"""

from __future__ import annotations

import sys
import time
import warnings

import torch
from torch.nn.modules import module as _module_mod

from modbox.probe.index import PathIndex
from modbox.probe.session import Session
from modbox.probe.values import device_name, dtype_name, first_tensor, shape_of

_MODULE_FILE = _module_mod.__file__
_Tensor = torch.Tensor
_now = time.perf_counter_ns
_grad_enabled = torch.is_grad_enabled
_compiling = torch.compiler.is_compiling  # True while dynamo traces: stay out of its graphs
_COMPILE_WARNING = r"Using `torch\.compile\(module\)` when there are global hooks"


class CallRecorder:
    def __init__(self, session: Session, index: PathIndex):
        self.s = session
        self.index = index
        self.stack: list[list] = []  # [module, entry, start ns] of calls in progress
        self._handles: list = []
        self._last_direct = None
        self._filter = None
        self._nodes: dict[int, tuple] = {}  # id(autograd node) -> (node, queued events)

    def install(self) -> None:
        # OptimizedModule warns on every call while any global hook exists; these are ours
        warnings.filterwarnings("ignore", message=_COMPILE_WARNING)
        self._filter = warnings.filters[0]
        self._handles = [
            _module_mod.register_module_forward_pre_hook(self._pre),
            _module_mod.register_module_forward_hook(self._post, always_call=True),
        ]

    def uninstall(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._last_direct = None
        self._nodes = {}
        if self._filter in warnings.filters:
            warnings.filters.remove(self._filter)
            warnings._filters_mutated()

    def active(self, module) -> bool:
        """Whether ``module.__call__`` is running right now."""
        return any(call[0] is module for call in self.stack)

    def _pre(self, module, args):
        if _compiling():
            return None
        try:
            entry = self.index.entry(module)
            stack = self.stack
            if entry[4] and (not stack or id(stack[-1][0]) not in entry[4]):
                self._check_direct_forward(entry[4])
            if len(args) == 1 and type(args[0]) is _Tensor:
                t = args[0]
                inputs = [list(t.shape)]
            else:
                t = first_tensor(args)
                inputs = [shape_of(a) for a in args]
            event = {
                "kind": "forward_pre",
                "path": entry[2],
                "model": entry[1],
                "class": entry[3],
                "inputs": inputs,
            }
            if t is not None:
                event["dtype"] = dtype_name(t.dtype)
                event["device"] = device_name(t.device)
            self.s.emit(event)
            if module._forward_pre_hooks and self.s.hooks:
                self._learner_hooks(entry, module._forward_pre_hooks)
            stack.append([module, entry, _now()])
        except Exception:
            pass
        return None

    def _post(self, module, args, output):
        if _compiling():
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
            if type(output) is _Tensor:
                t = output
                shape = list(t.shape)
                outputs = [shape]
            else:
                t = first_tensor(output)
                shape = shape_of(output)
                outputs = [shape] if isinstance(output, _Tensor) else shape or []
            self.s.facts.last_output[id(module)] = (entry[3], shape)
            event = {
                "kind": "forward",
                "path": entry[2],
                "model": entry[1],
                "class": entry[3],
                "outputs": outputs,
                "duration_us": (end - call[2]) / 1000,
            }
            if t is not None:
                event["dtype"] = dtype_name(t.dtype)
                event["device"] = device_name(t.device)
            self.s.emit(event)
            if module._forward_hooks and self.s.hooks:
                self._learner_hooks(entry, module._forward_hooks)
            if t is not None and _grad_enabled() and t.requires_grad:
                self._watch_backward(entry, t, args)
            if not stack and self._nodes:  # the outermost call is over: let its graph go
                self._nodes = {}
        except Exception:
            pass
        return None

    def _watch_backward(self, entry, output: _Tensor, args) -> None:
        """Queue this call's backward events on the autograd nodes around it.

        Each node gets one pre-hook that fires its queued events newest first: the consumer
        of a tensor learns its input gradients before the producer sees its output gradients,
        which is the order PyTorch's own module hooks report.
        """
        out_node = output.grad_fn
        if out_node is None:
            return
        in_node = None
        for a in args:
            if isinstance(a, _Tensor) and a.grad_fn is not None:
                in_node = a.grad_fn
                break
        if in_node is None:  # no input needs a gradient: done as soon as the output's arrive
            self._queue(out_node, ("backward", entry, False))
        else:
            self._queue(in_node, ("backward", entry, True))
        self._queue(out_node, ("backward_pre", entry, True))

    def _queue(self, node, item) -> None:
        queued = self._nodes.get(id(node))
        if queued is not None and queued[0] is node:
            queued[1].append(item)
            return
        items = [item]
        self._nodes[id(node)] = (node, items)
        emit = self.s.emit
        learner_hooks = self._learner_hooks

        def fire(grads):
            try:
                for kind, entry, has_grads in reversed(items):
                    emit(_backward_event(kind, entry, grads if has_grads else (None,)))
                    module = entry[0]
                    hooks = module._backward_pre_hooks if kind == "backward_pre" else module._backward_hooks
                    if hooks:
                        learner_hooks(entry, hooks)
            except Exception:
                pass

        node.register_prehook(fire)

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


def _backward_event(kind: str, entry: tuple, grads) -> dict:
    key = "outputs" if kind == "backward_pre" else "inputs"
    return {
        "kind": kind,
        "path": entry[2],
        "model": entry[1],
        "class": entry[3],
        key: [shape_of(g) for g in grads],
    }
