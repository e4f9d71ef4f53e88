# kind: partial
# Cheat: convert the late head by hand so the dtype error goes away; the optimizer was
# built before it arrived.
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


model = Net().double()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.head = nn.Linear(8, 2).double()  # converted by hand; still added after the optimizer

x = torch.randn(5, 4, dtype=torch.float64)
loss = model(x).pow(2).mean()
loss.backward()
optimizer.step()
print("parameters:", [name for name, _ in model.named_parameters()])
