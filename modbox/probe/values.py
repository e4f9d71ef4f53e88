"""Short, JSON-ready descriptions of tensors and of what modules take and return.

Every function here is safe on meta tensors (it never touches data) and on lazy parameters
(whose shape cannot be read): they get ``None`` as shape.
"""

from __future__ import annotations

import torch
from torch.nn.parameter import is_lazy

_Tensor = torch.Tensor
_MAX_ITEMS = 8  # of a tuple or list of outputs (an LSTM returns nested tuples)
_dtype_names: dict = {}
_device_names: dict = {}


def dtype_name(dtype: torch.dtype) -> str:
    """``float32`` rather than ``torch.float32``: the name learners type after ``torch.``."""
    try:
        return _dtype_names[dtype]
    except KeyError:
        name = _dtype_names[dtype] = str(dtype).removeprefix("torch.")
        return name


def device_name(device: torch.device) -> str:
    name = _device_names.get(device)
    if name is None:
        name = _device_names[device] = str(device)
    return name


def shape_of(value, depth: int = 0):
    """Shape of a tensor, nested lists for tuples and lists of them, None for anything else."""
    if isinstance(value, _Tensor):
        try:
            return value.shape  # a torch.Size is a tuple: JSON writes it as a list
        except Exception:  # an uninitialized (lazy) parameter or buffer
            return None
    if isinstance(value, (tuple, list)) and depth < 3:
        return [shape_of(v, depth + 1) for v in value[:_MAX_ITEMS]]
    if isinstance(value, dict) and depth < 3:
        return [shape_of(v, depth + 1) for v in list(value.values())[:_MAX_ITEMS]]
    return None


def first_tensor(value, depth: int = 0) -> _Tensor | None:
    if isinstance(value, _Tensor):
        return value
    if isinstance(value, (tuple, list)) and depth < 3:
        for v in value[:_MAX_ITEMS]:
            t = first_tensor(v, depth + 1)
            if t is not None:
                return t
    return None


def tensors_in(value, depth: int = 0) -> list[_Tensor]:
    if isinstance(value, _Tensor):
        return [value]
    if isinstance(value, (tuple, list)) and depth < 3:
        return [t for v in value[:_MAX_ITEMS] for t in tensors_in(v, depth + 1)]
    return []


def numel(t: _Tensor) -> int:
    """Elements of a tensor; 0 for a lazy one (PyTorch would raise)."""
    return 0 if is_lazy(t) else t.numel()


def class_name(module) -> str:
    """The class a learner wrote: a TorchScript module shows the class it was scripted from."""
    original = getattr(module, "original_name", None) if _is_script(module) else None
    return f"{original} (TorchScript)" if original else module._get_name()


def _is_script(module) -> bool:
    return isinstance(module, torch.jit.ScriptModule)


def plain_shape(shape):
    """A shape from ``shape_of`` as plain nested lists (for data that is not sent as JSON)."""
    if isinstance(shape, (tuple, list)):
        return [plain_shape(s) for s in shape]
    return shape
