"""Watching the torch API the learner calls, without changing what it does.

- ``Module.__setattr__``: the learner's line for each attribute (for findings' line numbers).
- global registration hooks: a module, parameter or buffer registered anywhere invalidates the
  path index; a submodule registered on a module whose forward is running is recorded.
- ``register_*_hook`` called from the learner's file: the hook is noted by its handle id, so
  that the call recorder reports it each time it fires, and its handle reports
  ``hook_removed``.
- optimizers: the line each was built on, and an ``optimizer_step`` event naming which
  parameters the step changed.
- ``zero_grad`` of optimizers and modules, ``torch.save``, ``torch.load`` and
  ``Module.load_state_dict``, called from the learner's file: an event each (what was saved or
  loaded, the keys a load missed), and the facts findings need (modules saved whole, loads that
  failed because every key has a wrapper's prefix).

Every patch calls the original with the same arguments and returns its result, or raises the
exception it raised (the sandbox trims tracebacks to the learner's own frames).
"""

from __future__ import annotations

import functools
import os
import sys

import torch
from torch import nn
from torch.nn.modules import module as _module_mod
from torch.optim import optimizer as _optim_mod

from modbox.probe import tree
from modbox.probe.calls import CallRecorder
from modbox.probe.index import PathIndex
from modbox.probe.session import Session
from modbox.probe.values import class_name, numel

_HOOK_METHODS = {
    "register_forward_pre_hook": "forward_pre",
    "register_forward_hook": "forward",
    "register_full_backward_pre_hook": "backward_pre",
    "register_full_backward_hook": "backward",
    "register_backward_hook": "backward",
}
_compiling = torch.compiler.is_compiling  # True while dynamo traces: stay out of its graphs
_GLOBAL_HOOK_FUNCTIONS = {
    "register_module_forward_pre_hook": "forward_pre",
    "register_module_forward_hook": "forward",
    "register_module_full_backward_pre_hook": "backward_pre",
    "register_module_full_backward_hook": "backward",
}
_SNAPSHOT_LIMIT = 50_000_000  # elements copied to compare values across an optimizer step
_KEYS_SHOWN = 50  # state_dict keys kept in an event's detail
# What a wrapper (DataParallel/DistributedDataParallel, torch.compile) puts before every key.
WRAPPER_PREFIXES = ("module.", "_orig_mod.")


class Patches:
    """Installed (``patch``) and switched on (``on``) apart: a zygote patches once, before it
    forks, and each run child switches the patches on for its own run (``bind``). Switched off,
    every patch and hook passes straight through to torch."""

    def __init__(self, session: Session, index: PathIndex, calls: CallRecorder):
        self.on = False
        self._undo: list = []
        self._handles: list = []
        self.bind(session, index, calls)

    def bind(self, session: Session, index: PathIndex, calls: CallRecorder) -> None:
        """Report to this run's session from now on."""
        self.s = session
        self.index = index
        self.calls = calls
        self._before_step: dict = {}

    def install(self) -> None:
        self.patch()
        self.on = True

    def uninstall(self) -> None:
        self.on = False
        self.unpatch()

    def patch(self) -> None:
        self._handles = [
            _module_mod.register_module_module_registration_hook(self._on_module_registered),
            _module_mod.register_module_parameter_registration_hook(self._on_registered),
            _module_mod.register_module_buffer_registration_hook(self._on_buffer_registered),
            _optim_mod.register_optimizer_step_pre_hook(self._before_optimizer_step),
            _optim_mod.register_optimizer_step_post_hook(self._after_optimizer_step),
        ]
        self._patch(nn.Module, "__setattr__", self._make_setattr(nn.Module.__setattr__))
        for method, kind in _HOOK_METHODS.items():
            self._patch(nn.Module, method, self._make_hook_register(getattr(nn.Module, method), kind))
        for function, kind in _GLOBAL_HOOK_FUNCTIONS.items():
            original = getattr(_module_mod, function)
            self._patch(_module_mod, function,
                        self._make_hook_register(original, kind, per_module=False))
        self._patch(torch.optim.Optimizer, "__init__", self._make_optimizer_init())
        save = self._make_save(torch.save)
        self._patch(torch, "save", save)
        self._patch(torch.serialization, "save", save)
        load = self._make_load(torch.load)
        self._patch(torch, "load", load)
        self._patch(torch.serialization, "load", load)
        self._patch(nn.Module, "zero_grad", self._make_zero_grad(nn.Module.zero_grad, "module"))
        self._patch(torch.optim.Optimizer, "zero_grad",
                    self._make_zero_grad(torch.optim.Optimizer.zero_grad, "optimizer"))
        self._patch(nn.Module, "load_state_dict", self._make_load_state_dict(nn.Module.load_state_dict))

    def unpatch(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo = []

    def _patch(self, owner, name: str, replacement) -> None:
        self._undo.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, replacement)

    # -- registration -------------------------------------------------------------------

    def _on_registered(self, module, name, value):
        if not self.on or _compiling():
            return None
        self.index.generation += 1
        return None

    def _on_buffer_registered(self, module, name, value):
        if not self.on or _compiling():
            return None
        self.index.generation += 1
        self._note_line(module, name)
        return None

    def _note_line(self, module, name) -> None:
        """The learner's line behind add_module, append or register_buffer, when it is near."""
        key = (id(module), name)
        lines = self.s.facts.attr_lines
        frame = sys._getframe(2)
        for _ in range(4):
            if frame is None:
                return
            if frame.f_code.co_filename == self.s.filename:
                lines.setdefault(key, frame.f_lineno)
                return
            frame = frame.f_back

    def _on_module_registered(self, module, name, submodule):
        if not self.on or _compiling():
            return None
        try:
            self.index.generation += 1
            self._note_line(module, name)
            if self.calls.stack and submodule is not None and self.calls.active(module):
                key = (id(module), name)
                if key not in self.s.facts.created_in_forward:
                    self.s.facts.created_in_forward[key] = (
                        self.s.learner_line(),
                        class_name(submodule),
                    )
        except Exception:
            pass
        return None

    def _make_setattr(self, original):
        probe = self
        getframe = sys._getframe

        @functools.wraps(original)
        def __setattr__(self, name, value):
            if not probe.on or _compiling():
                return original(self, name, value)
            frame = getframe(1)
            s = probe.s
            if frame.f_code.co_filename == s.filename:
                s.facts.attr_lines[(id(self), name)] = frame.f_lineno
            return original(self, name, value)

        return __setattr__

    # -- the learner's hooks ------------------------------------------------------------

    def _make_hook_register(self, original, kind: str, *, per_module: bool = True):
        """Note hooks registered from the learner's file, on one module (``per_module``: called as
        ``module.register_..._hook(hook)``) or for every module at once; the hook itself is left
        untouched (a wrapper would change what pickling, deepcopy or TorchScript see)."""
        probe = self

        @functools.wraps(original)
        def register(*args, **kwargs):
            handle = original(*args, **kwargs)
            if not probe.on:
                return handle
            try:
                frame = sys._getframe(1)
                if frame.f_code.co_filename == probe.s.filename:
                    module = args[0] if per_module else None
                    hook = _argument(args[1:] if per_module else args, kwargs, 0, "hook", None)
                    name = getattr(hook, "__qualname__", None) or type(hook).__name__
                    probe.s.hooks[handle.id] = (name, kind, frame.f_lineno)
                    if not per_module:
                        probe.s.global_hooks += 1
                    probe._watch_removal(handle, name, kind, module, frame.f_lineno)
            except Exception:
                pass
            return handle

        return register

    def _watch_removal(self, handle, name: str, kind: str, module, line: int) -> None:
        original = handle.remove
        s = self.s
        index = self.index

        def remove():
            hooks = handle.hooks_dict_ref()
            present = hooks is not None and handle.id in hooks
            original()
            if present:
                try:
                    entry = index.entry(module) if module is not None else (None, "", "", "", ())
                    s.emit(
                        {
                            "kind": "hook_removed",
                            "path": entry[2],
                            "model": entry[1],
                            "class": entry[3],
                            "hook": name,
                            "hook_kind": kind,
                            "line": s.learner_line(),
                            "detail": {"registered_line": line},
                        }
                    )
                except Exception:
                    pass

        handle.remove = remove

    # -- optimizers ---------------------------------------------------------------------

    def _make_optimizer_init(self):
        original = torch.optim.Optimizer.__init__
        probe = self

        @functools.wraps(original)
        def __init__(self, *args, **kwargs):
            if probe.on:
                try:
                    s = probe.s
                    s.facts.optimizer_lines.setdefault(id(self), s.learner_line())
                except Exception:
                    pass
            return original(self, *args, **kwargs)

        return __init__

    def _before_optimizer_step(self, optimizer, args, kwargs):
        if not self.on:
            return None
        try:
            params = [p for group in optimizer.param_groups for p in group["params"]]
            total = sum(numel(p) for p in params if p.device.type != "meta")
            copy = total <= _SNAPSHOT_LIMIT
            self._before_step[id(optimizer)] = [
                (p, p._version, p.detach().clone() if copy and p.device.type != "meta" else None)
                for p in params
            ]
        except Exception:
            self._before_step.pop(id(optimizer), None)
        return None

    def _after_optimizer_step(self, optimizer, args, kwargs):
        if not self.on:
            return None
        try:
            before = self._before_step.pop(id(optimizer), None)
            if before is None:
                return None
            changed_ids = set()
            for p, version, copy in before:
                if p._version == version:
                    continue
                if copy is None or not torch.equal(copy, p.detach()):
                    changed_ids.add(id(p))
            names = self.index.parameter_names()
            held = {id(p) for p, _, _ in before}
            touched_models = {names[i][0] for i in held if i in names}
            line = self.s.learner_line()
            for model_name, model in self.index.models():
                if model_name not in touched_models:
                    continue
                changed, unchanged = [], []
                seen = set()
                for path, module in tree.unique_modules(model):
                    for pname, p in list(module._parameters.items()):
                        if p is None or id(p) in seen:
                            continue
                        seen.add(id(p))
                        full = f"{path}.{pname}" if path else pname
                        if id(p) in changed_ids:
                            changed.append(full)
                        elif p.requires_grad:
                            unchanged.append(full)
                self.s.emit(
                    {
                        "kind": "optimizer_step",
                        "model": model_name,
                        "class": type(optimizer).__name__,
                        "line": line,
                        "detail": {"changed": changed, "unchanged": unchanged},
                    }
                )
        except Exception:
            pass
        return None

    # -- zero_grad, torch.save, torch.load, load_state_dict ---------------------------------

    def _from_learner(self) -> int | None:
        """The learner's line when the patched function was called from their file, else None."""
        if not self.on:
            return None
        frame = sys._getframe(2)
        return frame.f_lineno if frame.f_code.co_filename == self.s.filename else None

    def _observed(self, original, *, before=None, after=None, failed=None):
        """``original`` wrapped so that calls from the learner's file are reported: ``before(line,
        args, kwargs)`` ahead of the call, ``after(line, args, kwargs, result)`` once it returned,
        ``failed(line, args, kwargs, error)`` when it raised. A report that fails is dropped, never
        the learner's call. What the call raises leaves without the wrapper's frame, so the
        learner's traceback goes from their line straight into torch, as without modbox."""
        probe = self

        @functools.wraps(original)
        def observed(*args, **kwargs):
            line = probe._from_learner()
            if line is not None and before is not None:
                _quietly(before, line, args, kwargs)
            try:
                result = original(*args, **kwargs)
            except BaseException as e:
                if line is not None and failed is not None:
                    _quietly(failed, line, args, kwargs, e)
                _drop_own_frame(e)
                raise
            if line is not None and after is not None:
                _quietly(after, line, args, kwargs, result)
            return result

        return observed

    def _make_zero_grad(self, original, by: str):
        def before(line, args, kwargs):  # args: (the module or optimizer, set_to_none?)
            if not _compiling():
                set_to_none = _argument(args[1:], kwargs, 0, "set_to_none", True)
                self._zero_grad_events(args[0], by, line, set_to_none)

        return self._observed(original, before=before)

    def _zero_grad_events(self, owner, by: str, line: int, set_to_none) -> None:
        detail = {"by": by, "set_to_none": bool(set_to_none)}
        if by == "module":
            entry = self.index.entry(owner)
            self.s.emit({"kind": "zero_grad", "path": entry[2], "model": entry[1],
                         "class": entry[3], "line": line, "detail": detail})
            return
        names = self.index.parameter_names()
        held = {id(p) for group in owner.param_groups for p in group["params"]}
        models = sorted({names[i][0] for i in held if i in names}) or [""]
        for model in models:
            self.s.emit({"kind": "zero_grad", "model": model, "class": type(owner).__name__,
                         "line": line, "detail": detail})

    def _make_save(self, original):
        def before(line, args, kwargs):  # args: (obj, f, ...)
            obj = _argument(args, kwargs, 0, "obj", None)
            for module in _modules_in(obj):
                self.s.facts.saved.setdefault(id(module), line)
            self._file_event("save", obj, _argument(args, kwargs, 1, "f", None), line, {})

        return self._observed(original, before=before)

    def _make_load(self, original):
        def asked(kwargs) -> dict:
            return {"weights_only": kwargs["weights_only"]} if "weights_only" in kwargs else {}

        def after(line, args, kwargs, obj):  # args: (f, ...)
            self._file_event("load", obj, _argument(args, kwargs, 0, "f", None), line, asked(kwargs))

        def failed(line, args, kwargs, e):
            detail = {**asked(kwargs), "error": _error_text(e)}
            self._file_event("load", None, _argument(args, kwargs, 0, "f", None), line, detail)

        return self._observed(original, after=after, failed=failed)

    def _file_event(self, kind: str, obj, f, line: int, detail: dict) -> None:
        """A ``save`` or ``load`` event: what kind of object, which file."""
        if isinstance(f, (str, os.PathLike)):
            detail["file"] = os.fspath(f)
        elif f is not None:
            detail["file"] = f"<{type(f).__name__}>"
        event = {"kind": kind, "line": line, "detail": detail}
        if "error" not in detail:
            what = _what(obj)
            detail["what"] = what
            event["class"] = type(obj).__name__
            if what == "module":
                entry = self.index.entry(obj)
                event.update(path=entry[2], model=entry[1], **{"class": entry[3]})
            elif isinstance(obj, dict):
                keys = [str(k) for k in list(obj)[:_KEYS_SHOWN]]
                detail.update(keys=keys, key_count=len(obj))
        self.s.emit(event)

    def _make_load_state_dict(self, original):
        def loaded(line, args, kwargs, result, error):  # args: (module, state_dict, strict?, assign?)
            if not _compiling():
                state_dict = _argument(args[1:], kwargs, 0, "state_dict", None)
                strict = _argument(args[2:], kwargs, 0, "strict", True)
                assign = _argument(args[2:], kwargs, 1, "assign", False)
                self._loaded(args[0], state_dict, line, strict, assign, result, error)

        return self._observed(
            original,
            after=lambda line, args, kwargs, result: loaded(line, args, kwargs, result, None),
            failed=lambda line, args, kwargs, error: loaded(line, args, kwargs, None, error),
        )

    def _loaded(self, module, state_dict, line, strict, assign, result, error) -> None:
        try:
            entry = self.index.entry(module)
            detail = {"strict": bool(strict), "assign": bool(assign)}
            if error is not None:
                detail["error"] = _error_text(error)
            else:
                detail["missing"] = list(result.missing_keys)[:_KEYS_SHOWN]
                detail["unexpected"] = list(result.unexpected_keys)[:_KEYS_SHOWN]
                detail["missing_count"] = len(result.missing_keys)
                detail["unexpected_count"] = len(result.unexpected_keys)
            self.s.emit({"kind": "load_state_dict", "path": entry[2], "model": entry[1],
                         "class": entry[3], "line": line, "detail": detail})
            keys, own = list(state_dict.keys()), list(module.state_dict().keys())
            nothing_loaded = result is not None and result.missing_keys and len(
                result.missing_keys) == len(own)
            if error is not None or nothing_loaded:
                prefix = _wrapper_prefix(keys, own)
                if prefix:
                    self.s.facts.prefixed_loads.setdefault(id(module), (line, prefix, "state_dict"))
                prefix = _wrapper_prefix(own, keys)
                if prefix:
                    self.s.facts.prefixed_loads.setdefault(id(module), (line, prefix, "model"))
        except Exception:
            pass


def _drop_own_frame(e: BaseException) -> None:
    """Take the patch's own frame out of ``e``'s traceback before a bare ``raise`` passes it on,
    so that the traceback goes from the learner's line straight into torch, as without modbox."""
    tb = e.__traceback__
    if tb is not None and tb.tb_frame is sys._getframe(1):
        e.__traceback__ = tb.tb_next


def _quietly(report, *args) -> None:
    """Call ``report``; a report that fails is dropped, so that the learner's call goes on."""
    try:
        report(*args)
    except Exception:
        pass


def _argument(args: tuple, kwargs: dict, index: int, name: str, default):
    """An argument of the patched call, given by position (after self) or by name."""
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _error_text(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).strip()}"[:2000]


def _what(obj) -> str:
    """What was saved or loaded: a whole ``module``, a ``state_dict`` (a dict of tensors), another
    ``dict`` (a checkpoint), or ``other``."""
    if isinstance(obj, nn.Module):
        return "module"
    if isinstance(obj, dict):
        values = list(obj.values())
        if values and all(isinstance(v, torch.Tensor) for v in values):
            return "state_dict"
        return "dict"
    return "other"


def _wrapper_prefix(keys: list, model_keys: list) -> str | None:
    """The wrapper prefix every one of ``keys`` has and ``model_keys`` do not, when stripping it
    leaves keys of ``model_keys``."""
    for prefix in WRAPPER_PREFIXES:
        if keys and all(isinstance(k, str) and k.startswith(prefix) for k in keys):
            stripped = {k[len(prefix):] for k in keys}
            if not any(k.startswith(prefix) for k in model_keys) and stripped & set(model_keys):
                return prefix
    return None


def _modules_in(obj) -> list:
    if isinstance(obj, nn.Module):
        return [obj]
    values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
    return [v for v in values if isinstance(v, nn.Module)]
