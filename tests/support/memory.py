"""The peak memory a real training step reaches on the CPU, and small models to compare with."""

from __future__ import annotations

import torch
from torch import nn

from modbox.probe.memory import OPTIMIZERS


def measured_peak(model: nn.Module, make_input, kind: str) -> int:
    """Bytes live at the peak of a steady training step (the second), on the real CPU: what is
    held before it (parameters, buffers, input, optimizer state) plus the highest point the
    allocator's own bookkeeping reaches during it."""
    from torch.profiler import ProfilerActivity, profile

    x = make_input()
    opt = OPTIMIZERS[kind]([p for p in model.parameters() if p.requires_grad])

    def step():
        out = model(x)
        out = out[0] if isinstance(out, tuple) else out
        out.float().mean().backward()
        opt.step()
        opt.zero_grad()

    step()  # the first step makes the optimizer's state
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    live = peak = 0
    events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    assert events, "the profiler saw no allocations"
    for e in sorted(events, key=lambda e: e.start_ns()):
        live += e.nbytes()
        peak = max(peak, live)
    held = {t.untyped_storage().data_ptr(): t.untyped_storage().nbytes()
            for t in [*model.parameters(), *model.buffers(), x]}
    held.update({v.untyped_storage().data_ptr(): v.untyped_storage().nbytes()
                 for s in opt.state.values() for v in s.values() if isinstance(v, torch.Tensor)})
    return sum(held.values()) + peak


MODELS = {
    "mlp": (lambda: nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                                  nn.Linear(512, 10)), lambda: torch.randn(128, 256)),
    "cnn": (lambda: nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                                  nn.Flatten(), nn.Linear(32 * 16 * 16, 10)),
            lambda: torch.randn(32, 3, 32, 32)),
    "transformer_encoder": (lambda: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(64, 4, 128, batch_first=True), 2), lambda: torch.randn(16, 32, 64)),
    "embedding_and_gelu": (lambda: nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 256), nn.GELU(),
                                                 nn.Linear(256, 64)),
                           lambda: torch.randint(0, 1000, (32, 40))),
}
