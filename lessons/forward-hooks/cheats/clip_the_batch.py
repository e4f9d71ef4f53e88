# kind: partial
# Cheat: the first batch is clipped before the call; the pre-hook does nothing.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def clip_input(module, args):
    pass


def log_shape(module, args, output):
    x = args[0]
    name = type(module).__name__
    print(f"{name} {tuple(x.shape)} -> {tuple(output.shape)}, "
          f"largest input {x.abs().max():.2f}")


model[0].register_forward_pre_hook(clip_input)
handles = [layer.register_forward_hook(log_shape) for layer in model]

print("first batch:")
model((torch.randn(5, 4) * 10).clamp(-1, 1))  # the batch is clipped before the call
for handle in handles:
    handle.remove()
print("second batch:")
model(torch.randn(5, 4) * 10)
