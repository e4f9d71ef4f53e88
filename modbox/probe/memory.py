"""Memory of one training step, worked out before anything is allocated.

The model's parameters and buffers become fake tensors (``FakeTensorMode``: shapes, dtypes and
devices, no data), the input is built on the ``meta`` device, and a whole training step runs on
them: forward, a loss (the output's mean), backward, and one step of each optimizer. A dispatch
mode under the fake one sees every tensor each operation makes and, through its storage, when
it is freed again, so the peak is the peak of what was really live (views and in-place results
share a storage and are counted once). Saved tensors (``saved_tensors_hooks``) are the
activations autograd keeps for backward.

The step measured is a steady one: the optimizer's state (momentum, Adam's two moments) already
exists before the forward, as from the second step on, and ``zero_grad()`` left no gradients.
"""

from __future__ import annotations

import gc
import weakref

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from modbox.probe.values import dtype_name

# The optimizers a step is worked out for, by the class name the learner writes.
OPTIMIZERS = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.01),
    "SGD+momentum": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "Adam": lambda params: torch.optim.Adam(params),
    "AdamW": lambda params: torch.optim.AdamW(params),
}


def optimizer_kind(optimizer: torch.optim.Optimizer) -> str:
    """The key of ``OPTIMIZERS`` that works like ``optimizer``, or its class name."""
    name = type(optimizer).__name__
    if name == "SGD" and any(g.get("momentum") for g in optimizer.param_groups):
        return "SGD+momentum"
    return name


class _Tracker(TorchDispatchMode):
    """Live bytes of the storages operations made, and their peak."""

    def __init__(self):
        super().__init__()
        self.live = 0
        self.peak = 0
        self._seen: dict[int, int] = {}  # id(storage) -> bytes, while it lives

    def add(self, t: torch.Tensor) -> None:
        try:
            storage = t.untyped_storage()
        except Exception:
            return
        key = id(storage)
        if key in self._seen:
            return
        nbytes = storage.nbytes()
        self._seen[key] = nbytes
        self.live += nbytes
        self.peak = max(self.peak, self.live)
        weakref.finalize(storage, self._freed, key)

    def _freed(self, key: int) -> None:
        self.live -= self._seen.pop(key, 0)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in _tensors(out):
            self.add(t)
        return out


def _tensors(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _tensors(v)


def _by_dtype(tensors) -> dict[str, int]:
    out: dict[str, int] = {}
    seen: set[int] = set()
    for t in tensors:
        storage = t.untyped_storage()
        if id(storage) in seen:
            continue
        seen.add(id(storage))
        key = dtype_name(t.dtype)
        out[key] = out.get(key, 0) + storage.nbytes()
    return out


def _part(what: str, tensors) -> dict:
    by_dtype = _by_dtype(list(tensors))
    return {"what": what, "bytes": sum(by_dtype.values()), "by_dtype": by_dtype}


def estimate(model: nn.Module, make_input, optimizer: str = "Adam") -> dict:
    """``report.MemoryEstimate`` fields (without ``model`` and ``input``) for a steady training
    step of ``model`` on what ``make_input()`` builds (called under the fake mode, on the
    model's device)."""
    from torch._subclasses.fake_tensor import FakeTensorMode

    fake_mode = FakeTensorMode(allow_non_fake_inputs=False)
    device = next((t.device for t in model.parameters()), torch.device("cpu"))
    with fake_mode, device:  # factory functions make fake tensors: nothing is allocated
        example = make_input()
    inputs = example if isinstance(example, tuple) else (example,)
    tracker = _Tracker()
    names = dict(model.named_parameters(remove_duplicate=False))
    buffers = dict(model.named_buffers(remove_duplicate=False))
    memo: dict[int, torch.Tensor] = {}
    with fake_mode:
        state = {}
        for name, t in {**names, **buffers}.items():
            if id(t) not in memo:
                fake = fake_mode.from_tensor(t)
                if isinstance(t, nn.Parameter):
                    fake = fake.detach().requires_grad_(t.requires_grad)
                memo[id(t)] = fake
            state[name] = memo[id(t)]
        fake_inputs = inputs
    params = list({id(memo[id(p)]): memo[id(p)] for p in names.values()}.values())
    trainable = [p for p in params if p.requires_grad]
    for t in list(memo.values()) + [x for x in fake_inputs if isinstance(x, torch.Tensor)]:
        tracker.add(t)

    saved: list[torch.Tensor] = []
    held = {id(t.untyped_storage()) for t in memo.values()}
    held |= {id(x.untyped_storage()) for x in fake_inputs if isinstance(x, torch.Tensor)}

    def pack(t):
        if id(t.untyped_storage()) not in held:
            saved.append(t)
        return t

    with fake_mode, tracker, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = torch.func.functional_call(model, state, fake_inputs)
        outs = [t for t in _tensors(out) if t.requires_grad]
        loss = sum(t.float().mean() for t in outs) if outs else None
        activations = _part("activations", saved)
        saved.clear()
        if loss is not None:
            loss.backward()
        del out, outs, loss
        gc.collect()
        forward_backward = tracker.peak
        grads = [p.grad for p in trainable if p.grad is not None]
        gradients = _part("gradients", grads)
        peaks: dict[str, int] = {}
        states: dict[str, dict] = {}
        for kind, build in OPTIMIZERS.items():
            tracker.peak = tracker.live
            opt = build(trainable)
            opt.step()
            state_tensors = [v for s in opt.state.values() for v in s.values()
                             if isinstance(v, torch.Tensor)]
            states[kind] = _part("optimizer_state", state_tensors)
            step_peak = tracker.peak
            del opt, state_tensors
            gc.collect()
            # steady state: the optimizer's state is live through forward and backward too
            peaks[kind] = max(forward_backward + states[kind]["bytes"], step_peak)
    parameters = _part("parameters", params)
    input_part = _part("input", [x for x in fake_inputs if isinstance(x, torch.Tensor)])
    buffer_part = _part("buffers", [memo[id(b)] for b in buffers.values()])
    chosen = optimizer if optimizer in peaks else "Adam"
    notes = []
    if optimizer not in peaks:
        notes.append(f"{optimizer} is not one of {', '.join(OPTIMIZERS)}: the state and peak "
                     f"shown are Adam's.")
    recurrent = sorted({type(m).__name__ for m in model.modules() if isinstance(m, nn.RNNBase)})
    if recurrent:
        notes.append(f"{', '.join(recurrent)}: PyTorch's CPU kernels keep more for backward than "
                     f"the estimate sees (up to 6x the activations), so take it as a lower bound.")
    return {
        "input_shape": [list(x.shape) for x in inputs if isinstance(x, torch.Tensor)],
        "parts": [parameters, buffer_part, gradients, states[chosen], activations, input_part],
        "optimizer": chosen,
        "peaks": peaks,
        "peak": peaks[chosen],
        "notes": notes,
    }
