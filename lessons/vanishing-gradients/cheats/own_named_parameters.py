# kind: introspection
# Cheat (overridden introspection): the model lists only its last layers' parameters,
# so anything walking them never meets the first layers.
import torch
from torch import nn


def block():
    """One hidden layer and its activation."""
    return [nn.Linear(32, 32), nn.Sigmoid()]  # TODO: what reaches the first layers?


class Deep(nn.Sequential):
    def named_parameters(self, *args, **kwargs):
        return list(super().named_parameters(*args, **kwargs))[-6:]


torch.manual_seed(0)
model = Deep(*[layer for _ in range(20) for layer in block()], nn.Linear(32, 1))

x, y = torch.randn(64, 32), torch.randn(64, 1)
loss = nn.functional.mse_loss(model(x), y)
loss.backward()
linears = [m for m in model if isinstance(m, nn.Linear)]
for i in (0, 10, 19):
    print(f"layer {i:2d}: weight grad norm {linears[i].weight.grad.norm().item():.1e}")
