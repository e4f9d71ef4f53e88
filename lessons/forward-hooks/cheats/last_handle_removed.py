# kind: misconception
# Honest mistake: the handle is kept in one variable in the loop, believing `remove()` on it
# takes the logging hooks away; only the last one goes.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def clip_input(module, args):
    x = args[0]
    return (x.clamp(-1, 1),)  # the returned tuple replaces args


def log_shape(module, args, output):
    x = args[0]
    name = type(module).__name__
    print(f"{name} {tuple(x.shape)} -> {tuple(output.shape)}, "
          f"largest input {x.abs().max():.2f}")


model[0].register_forward_pre_hook(clip_input)
for layer in model:
    handle = layer.register_forward_hook(log_shape)

print("first batch:")
model(torch.randn(5, 4) * 10)
handle.remove()  # the logging hooks are gone
print("second batch:")
model(torch.randn(5, 4) * 10)
