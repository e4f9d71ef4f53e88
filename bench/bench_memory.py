"""The memory estimate against the peak measured on the CPU, and its time for a model of a
billion parameters, printed side by side.

    python bench/bench_memory.py

The measured peak is what PyTorch's CPU allocator holds at the busiest moment of a steady
training step (the profiler's memory events), as tests/probe/test_probe_memory.py measures it.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from modbox.probe.memory import estimate  # noqa: E402
from tests.support.memory import MODELS, measured_peak  # noqa: E402


def main() -> None:
    print(f"{'model':<22}{'optimizer':<14}{'estimate':>12}{'measured':>12}{'ratio':>8}{'time':>9}")
    for name, (build, make_input) in MODELS.items():
        for kind in ("SGD", "SGD+momentum", "Adam"):
            torch.manual_seed(0)
            model = build()
            start = time.perf_counter()
            found = estimate(model, make_input, kind)["peak"]
            took = time.perf_counter() - start
            real = measured_peak(model, make_input, kind)
            print(f"{name:<22}{kind:<14}{found / 2**20:>10.2f}Mi{real / 2**20:>10.2f}Mi"
                  f"{found / real:>8.3f}{took:>8.2f}s")
    with torch.device("meta"):
        model = nn.Sequential(*[nn.Linear(8192, 8192, bias=False) for _ in range(15)])
    times = []
    for _ in range(3):
        start = time.perf_counter()
        found = estimate(model, lambda: torch.randn(8, 8192), "AdamW")
        times.append(time.perf_counter() - start)
    params = sum(p.numel() for p in model.parameters())
    print(f"{params / 1e9:.2f}B parameters (15 x Linear(8192, 8192), meta device): peak with AdamW "
          f"{found['peak'] / 2**30:.1f} GiB, worked out in {statistics.median(times):.2f} s (median of 3)")


if __name__ == "__main__":
    main()
