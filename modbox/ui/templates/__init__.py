"""Starting points for play mode: small, runnable files that each show one thing about nn.Module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    about: str

    @property
    def text(self) -> str:
        return (HERE / f"{self.id}.py").read_text(encoding="utf-8")


TEMPLATES = (
    Template("mlp", "MLP", "two Linear layers and a ReLU: the parameter count, layer by layer"),
    Template("cnn", "Small CNN", "Conv2d, BatchNorm2d and pooling: output shapes and running-stat buffers"),
    Template("tied_weights", "Tied weights", "one Parameter under two names: counted once, saved twice"),
    Template("hooks_demo", "Hooks demo", "forward hooks you register, and a direct .forward() call that skips them"),
    Template("module_list", "ModuleList vs a plain list", "layers in a Python list are invisible to nn.Module"),
    Template("buffers", "Buffers and .to()", "register_buffer, persistent=False, and what .to() moves"),
)

SCRATCH = '''\
import torch
from torch import nn

# Build a model here and bind it to `model`: the panes on the right show what nn.Module registered.
# ctrl+n starts from a template, ctrl+r runs, F1 lists every key.
'''


def template(template_id: str) -> Template:
    return next(t for t in TEMPLATES if t.id == template_id)
