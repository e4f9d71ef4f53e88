# kind: decoy
# `mix` is registered for the checks to find; `forward` runs a layer kept in a tuple.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(  # three layers, as if pretrained
            nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8)
        )
        self.mix = nn.Linear(8, 8)  # created once, so it keeps what it learns
        self.spare = (nn.Linear(8, 8),)  # what forward uses

    def forward(self, x):
        self.mix(self.body(x))  # mix runs, for the record
        x = torch.relu(self.spare[0](self.body(x).float()).double())
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
