# Lesson: late layers. Every layer below IS registered, yet training goes wrong.
# Run it, read the error and the findings, fix one thing, run again.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(  # three layers, as if pretrained
            nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8)
        )

    def forward(self, x):
        self.mix = nn.Linear(8, 8)  # TODO: how many times does this line run?
        x = torch.relu(self.mix(self.body(x)))
        return self.head(x)


model = Net().double()  # every layer the model has now becomes float64
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.head = nn.Linear(8, 2)  # TODO: added after .double() and after the optimizer

x = torch.randn(5, 4, dtype=torch.float64)
loss = model(x).pow(2).mean()
loss.backward()
optimizer.step()
print("parameters:", [name for name, _ in model.named_parameters()])
