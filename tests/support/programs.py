"""Learner programs that more than one test module runs on the real sandbox."""

from __future__ import annotations

IMPORTS = "import torch\nfrom torch import nn\n"

# Fails with a dtype error in its first convolution (line 13): the layers are in a plain list, so
# .to(torch.float64) never reached them. The plain-list finding of the failed run explains it.
PLAIN_LIST_CNN = IMPORTS + """

class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 8, 3)]
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.head(x.mean(dim=(2, 3)))


model = CNN().to(torch.float64)
out = model(torch.randn(2, 1, 8, 8, dtype=torch.float64))
"""
