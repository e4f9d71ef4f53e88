# kind: introspection
# Layer 0 is a Linear whose own `__call__` clips; the pre-hook only logs that it ran.
import torch
from torch import nn

torch.manual_seed(0)


class ClippedLinear(nn.Linear):
    def __call__(self, x):
        return super().__call__(x.clamp(-1, 1))


model = nn.Sequential(ClippedLinear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def clip_input(module, args):
    x = args[0]
    return None  # ClippedLinear clips


def log_shape(module, args, output):
    x = args[0]
    name = type(module).__name__
    print(f"{name} {tuple(x.shape)} -> {tuple(output.shape)}, "
          f"largest input {x.abs().max():.2f}")


model[0].register_forward_pre_hook(clip_input)
handles = [layer.register_forward_hook(log_shape) for layer in model]

print("first batch:")
model(torch.randn(5, 4) * 10)
for handle in handles:
    handle.remove()
print("second batch:")
model(torch.randn(5, 4) * 10)
