# Lesson: forward-hooks. A pre-hook should clip what
# layer 0 receives to [-1, 1]; forward hooks log the
# first batch, and should be removed before the second.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def clip_input(module, args):
    x = args[0]
    x.clamp(-1, 1)  # TODO: layer 0 still receives the unclipped batch


def log_shape(module, args, output):
    x = args[0]
    name = type(module).__name__
    print(f"{name} {tuple(x.shape)} -> {tuple(output.shape)}, "
          f"largest input {x.abs().max():.2f}")


model[0].register_forward_pre_hook(clip_input)
for layer in model:
    layer.register_forward_hook(log_shape)  # TODO: keep what this returns

print("first batch:")
model(torch.randn(5, 4) * 10)
# TODO: remove the three logging hooks here, and only those
print("second batch:")
model(torch.randn(5, 4) * 10)
