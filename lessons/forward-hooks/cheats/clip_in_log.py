# kind: printout
# Cheat: the log clips what it prints, so it reads 'largest input 1.00' while layer 0
# still receives the raw batch.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def clip_input(module, args):
    x = args[0]
    x.clamp(-1, 1)


def log_shape(module, args, output):
    x = args[0].clamp(-1, 1)  # the log shows a clipped input; layer 0 got the raw one
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
