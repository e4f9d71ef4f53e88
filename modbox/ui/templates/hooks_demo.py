import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def show_shape(module, inputs, output):
    print(f"{type(module).__name__}: {tuple(output.shape)}")


handle = model[0].register_forward_hook(show_shape)
model(torch.randn(3, 4))  # the hook fires

model[0].forward(torch.randn(3, 4))  # calling .forward() directly skips every hook

handle.remove()
model(torch.randn(3, 4))  # removed: silent again
