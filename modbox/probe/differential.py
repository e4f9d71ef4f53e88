"""The learner's class against the lesson's reference, side by side in the run child.

``compare_with_reference`` runs the lesson's ``solution.py`` in a namespace of its own (once per
run, in a folder of its own so that the files it writes never replace the learner's), builds
the learner's class and the reference class for each configuration the check lists, copies
the reference's state into the learner's instance, and compares what the check names:

- ``structure``: registered modules (paths and classes), the parameters each module holds,
  parameter and buffer names, shapes, dtypes, persistence and ``state_dict`` keys;
- ``outputs``: two forward passes on fresh inputs, and no module built during either (a module
  built in ``forward`` gets new weights on each call);
- ``grads``: the gradient of every parameter after one backward pass;
- ``buffers``: every buffer after those forward passes;
- ``events``: which modules ran, and how often, in each forward pass, and no module built
  during ``forward``.

Without ``class``, the two programs' own models (the variable the check names, ``model`` by
default) are compared, copied first; ``state`` then compares the numbers each program left in
them, before the reference's are copied for the rest.

With ``call`` (a training loop), the expression runs once for each side, with ``model`` bound
to that side's instance and every other name taken from that side's program, after the same
seed; then ``state`` compares the model's parameters and buffers, ``events`` how many
optimizer steps and forward passes of the model ran, and ``result`` what the call returned.

``compare_with_file`` loads a file the run wrote into a fresh reference instance and compares
it with the model a check names: the file, not a copy in memory, is what was saved.

Everything here goes through ``sealed``'s captured functions and walks ``_modules``,
``_parameters`` and ``_buffers`` itself: the learner's class answers no question about itself.
Each helper gives ``{"ok": bool, "message": str}``: the message is the first difference found,
in the learner's terms.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import copy
import json
import math
import os
import tempfile

import torch
from torch import nn

from modbox.probe import sealed, tree

_INPUT_SEED = 1234
_LOSS_SEED = 4321
_reference_programs: dict[str, dict] = {}


class Mismatch(Exception):
    """The first difference found; its text is the message the learner reads."""


def compare_with_reference(namespace: dict, folder: str | None, spec_text: str) -> dict:
    spec = json.loads(spec_text)
    try:
        reference = reference_program(spec["reference"], folder)
        name = spec.get("class")
        if name is None:
            return _compare_variables(spec, namespace, reference)
        mine_cls, ref_cls = namespace.get(name), reference.get(name)
        if not isinstance(ref_cls, type):
            raise RuntimeError(f"the lesson's solution.py defines no class {name!r}")
        if not isinstance(mine_cls, type):
            return _result(False, f"Your program defines no class `{name}`.")
        for config in spec.get("configs") or [{}]:
            where = _config_words(name, config)
            try:
                ref = _build(ref_cls, config, "the lesson's reference", reference)
                mine = _build(mine_cls, config, "your class", namespace)
                _compare_built(spec, config, namespace, reference, ref, mine)
            except Mismatch as e:
                return _result(False, f"With {where}, {e}.")
    except Mismatch as e:
        return _result(False, str(e))
    return _result(True, "behaves like the reference in every configuration checked")


def _compare_variables(spec: dict, namespace: dict, reference: dict) -> dict:
    """The model the program left in a variable against the one the reference left there;
    both are copied first, so that later checks see the program's own objects unchanged."""
    var = spec.get("name") or "model"
    ref, mine = reference.get(var), namespace.get(var)
    if not isinstance(ref, nn.Module):
        raise RuntimeError(f"the lesson's solution.py leaves no nn.Module in `{var}`")
    if not isinstance(mine, nn.Module):
        return _result(False, f"No nn.Module was left in `{var}`.")
    try:
        ref, mine = copy.deepcopy(ref), copy.deepcopy(mine)
    except Exception as e:  # noqa: BLE001
        return _result(False, f"`{var}` cannot be copied to be compared: {_exception(e)}")
    try:
        _compare_built(spec, {}, namespace, reference, ref, mine)
    except Mismatch as e:
        return _result(False, f"{str(e)[:1].upper()}{str(e)[1:]}.")
    return _result(True, f"`{var}` behaves like the reference's")


def compare_with_file(namespace: dict, folder: str | None, spec_text: str) -> dict:
    spec = json.loads(spec_text)
    file = spec["file"]
    path = os.path.join(folder or os.getcwd(), file)
    if not os.path.isfile(path):
        return _result(False, f"The run left no file `{file}` in its folder.")
    try:
        loaded = sealed.load(path, weights_only=True, map_location="cpu")
    except Exception as e:  # noqa: BLE001 (whatever the file holds)
        return _result(False, f"`{file}` cannot be read with `torch.load(..., weights_only=True)`: "
                              f"{_exception(e)}")
    key = spec.get("key")
    if key is not None:
        if not isinstance(loaded, dict) or key not in loaded:
            return _result(False, f"`{file}` holds no entry {key!r}.")
        loaded = loaded[key]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        return _result(False, f"`{file}` holds a {type(loaded).__name__}, not a state_dict.")
    reference = reference_program(spec["reference"], folder)
    config = spec.get("config") or {}
    fresh = _build(reference[spec["class"]], config, "the lesson's reference", reference)
    result = sealed.load_state_dict(fresh, loaded, strict=False)
    if result.missing_keys or result.unexpected_keys:
        return _result(False, f"`{file}` does not fit a fresh `{spec['class']}`: missing keys "
                              f"{_names(result.missing_keys)}, unexpected keys "
                              f"{_names(result.unexpected_keys)}.")
    target_name = spec.get("model") or "model"
    target = namespace.get(target_name)
    if not isinstance(target, nn.Module):
        return _result(False, f"No nn.Module named `{target_name}` was left to compare with `{file}`.")
    try:
        _same_state(fresh, target, target_name, spec.get("tolerance", 0.0),
                    f"what `{file}` holds")
    except Mismatch as e:
        return _result(False, str(e))
    return _result(True, f"`{target_name}` holds what `{file}` holds")


def compare_value(namespace: dict, folder: str | None, spec_text: str) -> dict:
    """An expression evaluated in the program and in the lesson's solution, compared: tensors,
    numbers, lists and dicts of them by value (within ``tolerance``), modules by their
    parameters and buffers, anything else by ``==``."""
    spec = json.loads(spec_text)
    expr = spec["expr"]
    reference = reference_program(spec["reference"], folder)
    tree_ = ast.parse(expr, "<check>", "eval")
    code = compile(tree_, "<check>", "eval", dont_inherit=True)
    try:
        sealed.manual_seed(0)  # an expression that draws random numbers draws the same ones
        theirs = eval(code, sealed.sealed_globals(tree_, reference))
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(f"`{expr}` fails in the lesson's solution: {_exception(e)}") from None
    try:
        sealed.manual_seed(0)
        ours = eval(code, sealed.sealed_globals(tree_, namespace))
    except Exception as e:  # noqa: BLE001 (the program's objects may raise anything)
        return _result(False, f"`{expr}` raised {_exception(e)}.")
    tolerance = spec.get("tolerance", 1e-5)
    try:
        if isinstance(theirs, nn.Module):
            if not isinstance(ours, nn.Module):
                raise Mismatch(f"`{expr}` is a {type(ours).__name__}; the solution's is a module")
            _same_tensors(_parameters(theirs), _parameters(ours), expr, tolerance, "{name}",
                          "parameter")
            _same_tensors(_buffers(theirs), _buffers(ours), expr, tolerance, "{name}", "buffer")
        elif isinstance(theirs, (torch.Tensor, list, tuple, dict, int, float)) and not isinstance(
                theirs, bool):
            _same_value(theirs, ours, f"`{expr}`", tolerance)
        elif not (type(ours) is type(theirs) and ours == theirs):
            raise Mismatch(f"`{expr}` is {_short(ours)}; the solution's is {_short(theirs)}")
    except Mismatch as e:
        return _result(False, f"{str(e).replace('the reference', 'the solution')}.")
    return _result(True, f"`{expr}` is what the solution gives")


def reference_program(source: str, folder: str | None) -> dict:
    """The namespace of the lesson's solution.py, run once per run child, in a folder of its own
    with its output discarded (the caller redirects it), from the random state the learner's
    program started from."""
    program = _reference_programs.get(source)
    if program is not None:
        return program
    program = {"__name__": "__modbox_reference__", "__builtins__": sealed.BUILTINS}
    here = os.getcwd()
    os.chdir(tempfile.mkdtemp(dir=folder or here))
    state = torch.get_rng_state()
    try:
        if sealed.start_rng is not None:  # the random numbers the learner's program started from
            torch.set_rng_state(sealed.start_rng)
        exec(compile(source, "<solution.py>", "exec", dont_inherit=True), program)
    except Exception as e:
        raise RuntimeError(f"the lesson's solution.py failed: {_exception(e)}") from None
    finally:
        os.chdir(here)
        torch.set_rng_state(state)
    _reference_programs[source] = program
    return program


# ------------------------------------------------------------------ one configuration


def _compare_built(spec, config, namespace, reference, ref, mine) -> None:
    root = spec.get("name") or "model"
    call = spec.get("call")
    what = set(spec.get("compare") or (("structure", "state", "events") if call else
                                       ("structure", "outputs", "grads", "buffers", "events")))
    tolerance = spec.get("tolerance", 1e-5)
    if "structure" in what:
        _same_structure(ref, mine, root)
    if "state" in what and not call:  # the numbers both programs left, before any copying
        _same_tensors(_parameters(ref), _parameters(mine), root, tolerance,
                      "at the end of the run, {name}", "parameter")
        _same_tensors(_buffers(ref), _buffers(mine), root, tolerance,
                      "at the end of the run, {name}", "buffer")
    _copy_state(ref, mine)
    training = config.get("train", True)
    sealed.train(ref, training)
    sealed.train(mine, training)
    if call:
        _compare_call(spec, what, call, namespace, reference, ref, mine, root, tolerance)
        return
    if not spec.get("input"):
        return
    dtype = _dtype(config)
    inputs = [_input(spec["input"], config, dtype, seed) for seed in (_INPUT_SEED, _INPUT_SEED + 1)]
    for number, x in enumerate(inputs):
        with sealed.no_grad():
            with _watching(ref) as ref_ran:
                sealed.manual_seed(number)
                out_ref = sealed.call(ref, _clone(x))
            with _watching(mine) as mine_ran:
                sealed.manual_seed(number)
                out_mine = _forward(mine, _clone(x))
        if "events" in what or "outputs" in what:
            _no_module_built(ref_ran, mine_ran)
        if "events" in what:
            _same_events(ref_ran, mine_ran, root)
        if "outputs" in what:
            label = "the output" if number == 0 else "on a second call with new input, the output"
            _same_value(out_ref, out_mine, label, tolerance)
    if "grads" in what:
        _same_grads(ref, mine, inputs[0], root, tolerance)
    if "buffers" in what:
        passes = {2: "two", 3: "three"}[len(inputs) + ("grads" in what)]
        label = f"after {passes} forward passes, {{name}}"
        _same_tensors(_buffers(ref), _buffers(mine), root, tolerance, label, "buffer")


def _build(cls, config, who: str, program: dict):
    """``cls(*args, **kwargs)``, or the configuration's ``build`` expression evaluated with
    ``program``'s names (arguments TOML cannot write, like tensors), after the same seed."""
    args, kwargs = config.get("args", []), config.get("kwargs", {})
    sealed.manual_seed(0)
    try:
        if config.get("build"):
            tree_ = ast.parse(config["build"], "<check>", "eval")
            obj = eval(compile(tree_, "<check>", "eval", dont_inherit=True),
                       sealed.sealed_globals(tree_, program))
        else:
            obj = cls(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 (the learner's __init__ may raise anything)
        if who == "your class":
            raise Mismatch(f"building it raised {_exception(e)}") from None
        raise
    if not isinstance(obj, nn.Module):
        raise Mismatch(f"building it gives a {type(obj).__name__}, not an nn.Module")
    dtype = _dtype(config)
    if dtype is not None:
        sealed.to(obj, dtype)
    return obj


def _forward(module, x):
    try:
        return sealed.call(module, x)
    except Exception as e:  # noqa: BLE001
        raise Mismatch(f"its forward pass raised {_exception(e)}") from None


def _compare_call(spec, what, call, namespace, reference, ref, mine, root, tolerance) -> None:
    expr = ast.parse(call, "<check>", "eval")
    code = compile(expr, "<check>", "eval", dont_inherit=True)
    runs = []
    for side, program, model in (("reference", reference, ref), ("yours", namespace, mine)):
        g = sealed.sealed_globals(expr, program)
        g[root] = model
        with _counting_steps(model) as steps, _watching(model, root_only=True) as forwards:
            sealed.manual_seed(0)
            try:
                with torch.enable_grad():
                    result = eval(code, g)
            except Exception as e:  # noqa: BLE001
                if side == "reference":
                    raise RuntimeError(f"the lesson's solution fails `{call}`: {_exception(e)}") from None
                raise Mismatch(f"`{call}` raised {_exception(e)}") from None
        runs.append((result, steps[0], forwards.get("", 0)))
    (ref_result, ref_steps, ref_forwards), (my_result, my_steps, my_forwards) = runs
    if "events" in what:
        if ref_steps != my_steps:
            raise Mismatch(f"`{call}` steps an optimizer holding `{root}`'s parameters "
                           f"{_times(my_steps)}; the reference's {_times(ref_steps)}")
        if ref_forwards != my_forwards:
            raise Mismatch(f"`{call}` runs `{root}` forward {_times(my_forwards)}; "
                           f"the reference's {_times(ref_forwards)}")
    if "state" in what:
        _same_tensors(_parameters(ref), _parameters(mine), root, tolerance,
                      f"after `{call}`, {{name}}", "parameter")
        _same_tensors(_buffers(ref), _buffers(mine), root, tolerance,
                      f"after `{call}`, {{name}}", "buffer")
    if "result" in what:
        _same_value(ref_result, my_result, f"what `{call}` returns", tolerance)


# ------------------------------------------------------------------ structure


def _all_modules(module) -> dict:
    """Every path to a module (a module used twice is there twice), in registration order."""
    out: dict = {}
    for path, sub in sealed.named_modules(module, remove_duplicate=False):
        out.setdefault(path, sub)
    return out


def _parameters(module) -> dict:
    return _members(module, "_parameters")


def _buffers(module) -> dict:
    return _members(module, "_buffers")


def _members(module, attr: str) -> dict:
    out: dict = {}
    seen: set = set()
    for path, sub in tree.unique_modules(module):
        for name, t in list(getattr(sub, attr, {}).items()):
            if t is None or id(t) in seen:
                continue
            seen.add(id(t))
            out[f"{path}.{name}" if path else name] = t
    return out


def _at(root: str, path: str) -> str:
    return f"`{root}.{path}`" if path else f"`{root}`"


def _class_word(module) -> str:
    return type(module).__name__


def _same_class(a, b) -> bool:
    """torch's classes by module and name (parametrize makes a class per module it changes),
    the programs' own by name (each program defines its own)."""
    ta, tb = type(a), type(b)
    if ta.__module__.startswith("torch") or tb.__module__.startswith("torch"):
        return (ta.__module__, ta.__qualname__) == (tb.__module__, tb.__qualname__)
    return ta.__name__ == tb.__name__


def _same_structure(ref, mine, root: str) -> None:
    ref_mods, my_mods = _all_modules(ref), _all_modules(mine)
    for path, module in ref_mods.items():
        if path not in my_mods:
            raise Mismatch(f"{_at(root, path)} is not a registered module; the reference "
                           f"registers a {_class_word(module)} there")
    for path, module in my_mods.items():
        if path not in ref_mods:
            raise Mismatch(f"{_at(root, path)} ({_class_word(module)}) is registered; the "
                           f"reference has no module there")
    _same_sharing(ref, mine, root)
    for path, module in ref_mods.items():
        if not _same_class(module, my_mods[path]):
            raise Mismatch(f"{_at(root, path)} is a {_class_word(my_mods[path])}; the "
                           f"reference's is a {_class_word(module)}")
    for path, module in ref_mods.items():
        theirs, ours = _own_count(module), _own_count(my_mods[path])
        if theirs != ours:
            raise Mismatch(f"{_at(root, path)} holds {ours:,} parameters of its own; the "
                           f"reference's holds {theirs:,}")
    for kind, ref_t, my_t in (("parameter", _parameters(ref), _parameters(mine)),
                              ("buffer", _buffers(ref), _buffers(mine))):
        for name in ref_t:
            if name not in my_t:
                raise Mismatch(f"{_at(root, name)} is not a registered {kind}; the reference "
                               f"has one of shape {list(ref_t[name].shape)}")
        for name in my_t:
            if name not in ref_t:
                raise Mismatch(f"{_at(root, name)} is a registered {kind}; the reference has "
                               f"none there")
        for name, t in ref_t.items():
            other = my_t[name]
            _same_shape_and_dtype(t, other, _at(root, name))
            if kind == "parameter" and other.requires_grad != t.requires_grad:
                raise Mismatch(f"{_at(root, name)} has requires_grad={other.requires_grad}; "
                               f"the reference's {t.requires_grad}")
    ref_keys, my_keys = list(sealed.state_dict(ref)), list(sealed.state_dict(mine))
    if ref_keys != my_keys:
        missing = [k for k in ref_keys if k not in my_keys]
        extra = [k for k in my_keys if k not in ref_keys]
        if missing or extra:
            raise Mismatch(f"state_dict() lacks {_names(missing)} and has {_names(extra)} "
                           f"that the reference's does not")
        raise Mismatch(f"state_dict() lists its keys as {_names(my_keys)}; the reference "
                       f"as {_names(ref_keys)}")


def _same_sharing(ref, mine, root: str) -> None:
    """Modules and parameters reached by several paths (a layer used twice, tied weights) are
    one object on both sides, or on neither."""
    for kind, ref_groups, my_groups in (
            ("module", _groups(sealed.named_modules(ref, remove_duplicate=False)),
             _groups(sealed.named_modules(mine, remove_duplicate=False))),
            ("tensor", _groups(sealed.named_parameters(ref, remove_duplicate=False)),
             _groups(sealed.named_parameters(mine, remove_duplicate=False)))):
        for theirs, ours, whose, other in ((ref_groups, my_groups, "the reference's", "yours"),
                                           (my_groups, ref_groups, "yours", "the reference's")):
            alike = {name: group for group in ours for name in group}
            for group in theirs:
                if any(alike.get(name) != group for name in group):
                    names = _listed([_at(root, n) for n in group])
                    raise Mismatch(f"{names} are one {kind} in {whose}, but not in {other}")


def _groups(named) -> list[tuple[str, ...]]:
    by_object: dict = {}
    for name, value in named:
        by_object.setdefault(id(value), []).append(name)
    return [tuple(names) for names in by_object.values() if len(names) > 1]


def _own_count(module) -> int:
    return sum(p.numel() for p in module._parameters.values() if p is not None)


def _copy_state(ref, mine) -> None:
    """The reference's numbers into the learner's tensors of the same name and shape."""
    targets = {**_parameters(mine), **_buffers(mine)}
    with sealed.no_grad():
        for name, t in {**_parameters(ref), **_buffers(ref)}.items():
            other = targets.get(name)
            if other is not None and other.shape == t.shape and other.dtype == t.dtype:
                other.copy_(t)


# ------------------------------------------------------------------ behaviour


def _input(expr: str, config: dict, dtype, seed: int):
    tree_ = ast.parse(expr, "<check>", "eval")
    g = sealed.sealed_globals(tree_, {})
    g.update(config.get("kwargs", {}))
    sealed.manual_seed(seed)
    x = eval(compile(tree_, "<check>", "eval", dont_inherit=True), g)
    if dtype is not None and isinstance(x, torch.Tensor) and x.is_floating_point():
        x = x.to(dtype)
    return x


def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, (list, tuple)):
        return type(x)(_clone(v) for v in x)
    return x


@contextlib.contextmanager
def _watching(model, root_only: bool = False):
    """Counts of the module calls that ran (by path), and every nn.Module built meanwhile
    (under the key None)."""
    ran: collections.Counter = collections.Counter()
    handles = []
    for path, module in ([("", model)] if root_only else tree.unique_modules(model)):
        handles.append(sealed.register_forward_hook(
            module, lambda m, a, o, path=path: ran.update([path])))
    original = nn.Module.__dict__["__init__"]

    built: list = []

    def counting(self, *args, **kwargs):
        built.append(self)
        return original(self, *args, **kwargs)

    nn.Module.__init__ = counting
    try:
        yield ran
    finally:
        nn.Module.__init__ = original
        for handle in handles:
            handle.remove()
        # a layer without state (nn.ReLU()(x)) built in forward learns nothing: no loss
        stateful = [m for m in built if any(s._parameters or s._buffers
                                            for _, s in tree.unique_modules(m))]
        ran[None] = len(stateful)
        for m in stateful:
            ran[("built", type(m).__name__)] += 1


def _no_module_built(ref_ran, mine_ran) -> None:
    built = sorted(k[1] for k in mine_ran if isinstance(k, tuple))
    if mine_ran[None] and not ref_ran[None]:
        raise Mismatch(f"one forward pass built {mine_ran[None]} new module"
                       f"{'s' if mine_ran[None] > 1 else ''} ({', '.join(built)}): a layer "
                       f"built in forward() gets new random weights on every call; build it "
                       f"once in __init__")


def _same_events(ref_ran, mine_ran, root: str) -> None:
    paths = [p for p in ref_ran if isinstance(p, str)]
    paths += [p for p in mine_ran if isinstance(p, str) and p not in ref_ran]
    for path in paths:
        if ref_ran[path] != mine_ran[path]:
            raise Mismatch(f"one forward pass runs {_at(root, path)} {_times(mine_ran[path])}; "
                           f"the reference's runs it {_times(ref_ran[path])}")


def _same_grads(ref, mine, x, root: str, tolerance: float) -> None:
    for model in (ref, mine):
        for p in _parameters(model).values():
            p.grad = None
    for model in (ref, mine):
        sealed.manual_seed(0)
        with torch.enable_grad():
            out = _forward(model, _clone(x)) if model is mine else sealed.call(model, _clone(x))
        tensor = _first_tensor(out)
        if tensor is None or not tensor.requires_grad:
            if model is mine:
                raise Mismatch("its output does not depend on any parameter, so no gradient "
                               "reaches them")
            return
        generator = torch.Generator().manual_seed(_LOSS_SEED)
        weights = torch.randn(tensor.shape, generator=generator).to(tensor.dtype)
        try:
            with torch.enable_grad():
                (tensor * weights).sum().backward()
        except Exception as e:  # noqa: BLE001
            raise Mismatch(f"backward() raised {_exception(e)}") from None
    ref_p, my_p = _parameters(ref), _parameters(mine)
    for name, p in ref_p.items():
        other = my_p.get(name)
        if other is None:
            continue
        if (p.grad is None) != (other.grad is None):
            raise Mismatch(f"after backward(), {_at(root, name + '.grad')} is "
                           f"{'None' if other.grad is None else 'set'}; the reference's is "
                           f"{'None' if p.grad is None else 'set'}")
        if p.grad is not None:
            _same_value(p.grad, other.grad, f"after backward(), {_at(root, name + '.grad')}",
                        tolerance)


def _same_tensors(ref_t: dict, my_t: dict, root: str, tolerance: float, label: str,
                  kind: str) -> None:
    for name, t in ref_t.items():
        other = my_t.get(name)
        if other is None:
            raise Mismatch(label.format(name=f"{_at(root, name)} is not a registered {kind}"))
        _same_value(t, other, label.format(name=_at(root, name)), tolerance)


def _same_state(ref, mine, root: str, tolerance: float, whose: str) -> None:
    for kind, ref_t, my_t in (("parameter", _parameters(ref), _parameters(mine)),
                              ("buffer", _buffers(ref), _buffers(mine))):
        for name, t in ref_t.items():
            other = my_t.get(name)
            if other is None:
                raise Mismatch(f"{_at(root, name)} is not a registered {kind}, but {whose} has it.")
            if list(other.shape) != list(t.shape):
                raise Mismatch(f"{_at(root, name)} has shape {list(other.shape)}; {whose} "
                               f"has shape {list(t.shape)}.")
            gap = _largest_gap(t, other)
            if gap is None or gap > tolerance:
                raise Mismatch(f"{_at(root, name)} is not {whose} (largest difference "
                               f"{_number(gap)}).")


def _same_value(ref, mine, label: str, tolerance: float) -> None:
    if isinstance(ref, torch.Tensor):
        if not isinstance(mine, torch.Tensor):
            raise Mismatch(f"{label} is a {type(mine).__name__}; the reference's is a tensor")
        _same_shape_and_dtype(ref, mine, label)
        gap = _largest_gap(ref, mine)
        if gap is None or gap > tolerance * (1 + _largest(ref)):
            raise Mismatch(f"{label} differs from the reference's (largest difference "
                           f"{_number(gap)})")
        return
    if isinstance(ref, (list, tuple)):
        if not isinstance(mine, (list, tuple)) or len(mine) != len(ref):
            raise Mismatch(f"{label} is {_kind_of(mine)}; the reference's is {_kind_of(ref)}")
        for i, (a, b) in enumerate(zip(ref, mine)):
            _same_value(a, b, f"{label}[{i}]", tolerance)
        return
    if isinstance(ref, dict):
        if not isinstance(mine, dict) or list(mine) != list(ref):
            raise Mismatch(f"{label} is {_kind_of(mine)}; the reference's is {_kind_of(ref)}")
        for key in ref:
            _same_value(ref[key], mine[key], f"{label}[{key!r}]", tolerance)
        return
    if isinstance(ref, (int, float)) and not isinstance(ref, bool):
        if (isinstance(mine, bool) or not isinstance(mine, (int, float))
                or not math.isclose(mine, ref, rel_tol=tolerance, abs_tol=tolerance)):
            raise Mismatch(f"{label} is {_short(mine)}; the reference's is {_short(ref)}")


def _same_shape_and_dtype(ref, mine, label: str) -> None:
    if list(mine.shape) != list(ref.shape):
        raise Mismatch(f"{label} has shape {list(mine.shape)}; the reference's {list(ref.shape)}")
    if mine.dtype != ref.dtype:
        raise Mismatch(f"{label} is {_dtype_word(mine.dtype)}; the reference's is "
                       f"{_dtype_word(ref.dtype)}")


def _largest_gap(a, b) -> float | None:
    try:
        a = a.detach().to("cpu", torch.float64)
        b = b.detach().to("cpu", torch.float64)
        if a.numel() == 0:
            return 0.0
        gap = (a - b).abs()
        same_inf = (a == b)  # equal infinities give nan when subtracted
        gap = torch.where(same_inf, torch.zeros_like(gap), gap)
        if torch.isnan(gap).any():
            nan_a, nan_b = torch.isnan(a), torch.isnan(b)
            if not sealed.equal(nan_a, nan_b):
                return math.inf
            gap = torch.where(nan_a, torch.zeros_like(gap), gap)
        return float(gap.max())
    except Exception:  # noqa: BLE001 (meta tensors, odd subclasses)
        return None


def _largest(t) -> float:
    try:
        return float(t.detach().abs().max()) if t.numel() else 0.0
    except Exception:  # noqa: BLE001
        return 0.0


def _first_tensor(value):
    if isinstance(value, torch.Tensor):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found = _first_tensor(item)
        if found is not None:
            return found
    return None


@contextlib.contextmanager
def _counting_steps(model):
    """How many optimizer steps ran on an optimizer holding ``model``'s parameters."""
    held = {id(p) for p in _parameters(model).values()}
    steps = [0]

    def counted(optimizer, args, kwargs):
        if any(id(p) in held for group in optimizer.param_groups for p in group["params"]):
            steps[0] += 1

    handle = sealed.register_optimizer_step_post_hook(counted)
    try:
        yield steps
    finally:
        handle.remove()


# ------------------------------------------------------------------ words


def _result(ok: bool, message: str) -> dict:
    return {"ok": ok, "message": message}


def _dtype(config: dict):
    name = config.get("dtype")
    return getattr(torch, name.removeprefix("torch.")) if name else None


def _dtype_word(dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _config_words(name: str, config: dict) -> str:
    args = [repr(a) for a in config.get("args", [])]
    args += [f"{k}={v!r}" for k, v in config.get("kwargs", {}).items()]
    words = f"`{config['build']}`" if config.get("build") else f"`{name}({', '.join(args)})`"
    if config.get("dtype"):
        words += f" in {config['dtype'].removeprefix('torch.')}"
    if config.get("train") is False:
        words += " in eval mode"
    return words


def _listed(items: list[str], shown: int = 3) -> str:
    items = items[:shown] + ([f"{len(items) - shown} more"] if len(items) > shown else [])
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _times(n: int) -> str:
    return {0: "0 times", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _names(names) -> str:
    names = list(names)
    if not names:
        return "nothing"
    shown = ", ".join(repr(n) for n in names[:6])
    return f"[{shown}{', ...' if len(names) > 6 else ''}]"


def _kind_of(value) -> str:
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value) -> str:
    return "unknown" if value is None else f"{value:.3g}"


def _exception(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
