# kind: misconception
# Honest attempt: mean made a parameter (frozen), so that export sees a weight.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.mean = nn.Parameter(torch.zeros(4), requires_grad=False)
        self.fc = nn.Linear(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = x - self.mean
        x = x.clamp(-3, 3)
        return self.head(torch.relu(self.fc(x)))


torch.manual_seed(0)
model = Net()
with torch.no_grad():
    model.mean.fill_(0.5)

example = (torch.randn(2, 4),)
batch = torch.export.Dim("batch")
ep = torch.export.export(model, example, dynamic_shapes={"x": {0: batch}})
torch.export.save(ep, "net.pt2")

served = torch.export.load("net.pt2").module()
print("batch of 5:", tuple(served(torch.randn(5, 4)).shape))
