"""Which model and dotted path a module or parameter belongs to, while the learner's code runs.

Built lazily from the learner's namespace and rebuilt only when a module, parameter or buffer
was registered somewhere (a registration hook bumps ``generation``) or a new top-level name
appeared, so a training loop pays one dict lookup per module call.
"""

from __future__ import annotations

import torch
from torch import nn

from modbox.probe import tree
from modbox.probe.session import Session
from modbox.probe.values import class_name

_CONTAINERS = (list, tuple, dict)


class PathIndex:
    def __init__(self, session: Session):
        self.session = session
        self.generation = 0
        self._built = (-1, -1)
        self._modules: dict[int, tuple] = {}
        self._params: dict[int, tuple] | None = None
        self._models: list[tuple[str, nn.Module]] = []
        self._strays: dict[int, tuple] | None = None  # modules held in plain containers

    def entry(self, module: nn.Module) -> tuple:
        """``(module, model name, path, class name, ids of parent modules)``; "" when unknown."""
        ns = self.session._namespace
        if ns is None:
            ns = self.session.namespace()
        if self._built[0] != self.generation or self._built[1] != (len(ns) if ns else -1):
            self._rebuild(ns)
        found = self._modules.get(id(module))
        if found is not None and found[0] is module:
            return found
        if self._strays is None:
            self._strays = self._find_strays()
        found = self._strays.get(id(module))
        if found is not None and found[0] is module:
            return found
        return (module, "", "", class_name(module), ())

    def models(self) -> list[tuple[str, nn.Module]]:
        ns = self.session.namespace()
        if self._built[0] != self.generation or self._built[1] != (len(ns) if ns else -1):
            self._rebuild(ns)
        return self._models

    def parameter_names(self) -> dict[int, tuple[str, str]]:
        """id(parameter) -> (model name, dotted name), first name of each tensor."""
        models = self.models()
        if self._params is None:
            params: dict[int, tuple[str, str]] = {}
            for name, model in models:
                for full, p in tree.named_parameters(model):
                    params.setdefault(id(p), (name, full))
            self._params = params
        return self._params

    def _rebuild(self, ns: dict | None) -> None:
        self._built = (self.generation, len(ns) if ns else -1)
        self._params = None
        self._strays = None
        self._modules = {}
        self._models = tree.models_in(ns) if ns else []
        parents: dict[int, set[int]] = {}
        for name, model in self._models:
            for path, module in tree.unique_modules(model):
                for _, child in tree._children(module):
                    if child is not None:
                        parents.setdefault(id(child), set()).add(id(module))
                if id(module) not in self._modules:
                    self._modules[id(module)] = (module, name, path, class_name(module), ())
        for key, (module, name, path, cls, _) in self._modules.items():
            self._modules[key] = (module, name, path, cls, frozenset(parents.get(key, ())))

    def _find_strays(self) -> dict[int, tuple]:
        """Unregistered modules in plain lists, tuples and dicts of a model, labelled the way
        the learner reaches them: ``layers[0]``, ``heads['a'].fc``."""
        strays: dict[int, tuple] = {}
        for name, model in self._models:
            for path, module in tree.unique_modules(model):
                if isinstance(module, torch.jit.ScriptModule):
                    continue
                from_torch = type(module).__module__.startswith("torch.")
                for attr, value in list(vars(module).items()):
                    if not isinstance(value, _CONTAINERS) or (from_torch and attr.startswith("_")):
                        continue
                    items = value.items() if isinstance(value, dict) else enumerate(value)
                    base = f"{path}.{attr}" if path else attr
                    for key, item in items:
                        if not isinstance(item, nn.Module) or id(item) in self._modules:
                            continue
                        label = f"{base}[{key!r}]"
                        for sub_path, sub in tree.unique_modules(item):
                            if id(sub) not in self._modules and id(sub) not in strays:
                                full = f"{label}.{sub_path}" if sub_path else label
                                strays[id(sub)] = (sub, name, full, class_name(sub), ())
        return strays
