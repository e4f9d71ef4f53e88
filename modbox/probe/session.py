"""What one run shares between the probe's parts: the event stream and the facts findings need."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Facts:
    """Things seen while the learner's code ran, keyed by ``id()`` of the objects involved.

    Each dict maps to the learner's source line (first seen) where that happened.
    """

    attr_lines: dict = field(default_factory=dict)  # (id(module), attribute) -> line it was set
    direct_forward: dict = field(default_factory=dict)  # id(module) -> line of module.forward(...)
    created_in_forward: dict = field(default_factory=dict)  # (id(parent), name) -> (line, class)
    # id(module whose forward ran) -> [(line, module built there from the learner's file)]
    built_in_forward: dict = field(default_factory=dict)
    saved: dict = field(default_factory=dict)  # id(module) -> line of torch.save(module, ...)
    optimizer_lines: dict = field(default_factory=dict)  # id(optimizer) -> line it was built
    last_output: dict = field(default_factory=dict)  # id(module) -> (its class after the call, output shape)
    # id(module) -> (line, prefix, which) of a load_state_dict that failed (or loaded nothing)
    # because every key of the state_dict ("state_dict") or of the module ("model") had a
    # wrapper's prefix and the other's did not
    prefixed_loads: dict = field(default_factory=dict)
    failure: dict | None = None  # the call whose forward raised last (see CallRecorder._failed)
    nan_origin: dict | None = None  # the first output with NaN or Inf (see stats.ValueRecorder)
    loss_nan: dict | None = None  # the first backward() of a NaN or Inf: line, optimizer steps
    no_grad_lines: dict = field(default_factory=dict)  # id(module) -> line it ran without grad


class Session:
    def __init__(self, filename: str, emit: Callable[[dict], None]):
        self.filename = filename
        self.emit = emit  # the sink numbers, batches, caps and counts events
        self.facts = Facts()
        self.hooks: dict[int, tuple[str, str, int]] = {}  # learner's hook id -> name, kind, line
        self.global_hooks = 0  # how many of them the learner registered for all modules
        self.steps = 0  # optimizer steps so far
        # set by the Probe: the path index and the value recorder of this run
        self.index = None
        self.values = None
        self._namespace: dict | None = None

    def namespace(self) -> dict | None:
        """The learner's globals, found from the first of their frames on the stack."""
        if self._namespace is None:
            frame = sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_filename == self.filename:
                    self._namespace = frame.f_globals
                    break
                frame = frame.f_back
        return self._namespace

    def learner_line(self, depth: int = 1) -> int | None:
        """The line of the innermost learner frame on the stack (skipping ``depth`` frames)."""
        frame = sys._getframe(depth + 1)
        while frame is not None:
            if frame.f_code.co_filename == self.filename:
                return frame.f_lineno
            frame = frame.f_back
        return None
