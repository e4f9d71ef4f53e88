# kind: misconception
# Honest attempt (remove what export refuses): no branch and no clipping.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(4))
        self.fc = nn.Linear(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = x - self.mean
        return self.head(torch.relu(self.fc(x)))


torch.manual_seed(0)
model = Net()
model.mean.fill_(0.5)

example = (torch.randn(2, 4),)
batch = torch.export.Dim("batch")
ep = torch.export.export(model, example, dynamic_shapes={"x": {0: batch}})
torch.export.save(ep, "net.pt2")

served = torch.export.load("net.pt2").module()
print("batch of 5:", tuple(served(torch.randn(5, 4)).shape))
