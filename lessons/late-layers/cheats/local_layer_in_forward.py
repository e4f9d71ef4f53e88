# kind: misconception
# Honest mistake: `mix` built in forward as a local variable, never registered.
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
        mix = nn.Linear(8, 8).double()  # a fresh layer each call, in a local variable
        x = torch.relu(mix(self.body(x)))
        return self.head(x)


model = Net()
model.head = nn.Linear(8, 2)  # a late layer is fine: it is registered at once
model.double()  # converts every layer registered so far, head included
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # built from the finished model

x = torch.randn(5, 4, dtype=torch.float64)
loss = model(x).pow(2).mean()
loss.backward()
optimizer.step()
print("parameters:", [name for name, _ in model.named_parameters()])
