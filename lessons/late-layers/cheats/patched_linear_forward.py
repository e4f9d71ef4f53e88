# kind: tampering
# The late head stays float32 and out of the optimizer; Linear's forward is patched to cast
# its weights to the input's dtype, so the dtype error goes away.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(  # three layers, as if pretrained
            nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8)
        )
        self.mix = nn.Linear(8, 8)  # created once, so it keeps what it learns

    def forward(self, x):
        x = torch.relu(self.mix(self.body(x)))
        return self.head(x)


def linear_any_dtype(self, x):
    bias = None if self.bias is None else self.bias.to(x.dtype)
    return nn.functional.linear(x, self.weight.to(x.dtype), bias)


nn.Linear.forward = linear_any_dtype  # every Linear takes whatever dtype it is given
model = Net().double()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.head = nn.Linear(8, 2)

x = torch.randn(5, 4, dtype=torch.float64)
loss = model(x).pow(2).mean()
loss.backward()
optimizer.step()
print("parameters:", [name for name, _ in model.named_parameters()])
