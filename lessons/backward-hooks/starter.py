# Lesson: backward-hooks. grad_shapes should report the
# gradients flowing through layers 0 and 2 while
# loss.backward() runs.
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
    # TODO: when this hook runs, no gradient exists yet
    layer.register_forward_hook(grad_shapes)

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
print("forward done")
loss.backward()
print("backward done")
