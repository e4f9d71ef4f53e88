# kind: introspection
# TinyNet reports a Linear(8, 2) at `out` while the one it runs takes 4 inputs.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)  # 4 numbers in, 8 out
        self.out = nn.Linear(4, 2)
        object.__setattr__(self, "shown", nn.Linear(8, 2))

    def forward(self, x):
        self.hidden(x)
        return self.out(x)

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        yield prefix, self
        yield "hidden", self.hidden
        yield "out", self.shown


model = TinyNet()
batch = torch.randn(5, 4)  # 5 examples, 4 features each
print(model(batch).shape)
