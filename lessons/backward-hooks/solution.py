# Lesson: backward-hooks.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def shapes(tensors):
    return [None if t is None else tuple(t.shape) for t in tensors]


def grad_shapes(module, grad_input, grad_output):
    print(f"{type(module).__name__}: grad_input {shapes(grad_input)}, "
          f"grad_output {shapes(grad_output)}")


for layer in (model[0], model[2]):
    layer.register_full_backward_hook(grad_shapes)  # runs during backward()

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
print("forward done")
loss.backward()
print("backward done")
