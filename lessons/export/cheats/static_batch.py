# kind: misconception
# Honest attempt: the branch is gone, but the export keeps the example's batch of 2.
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
        x = x.clamp(-3, 3)
        return self.head(torch.relu(self.fc(x)))


torch.manual_seed(0)
model = Net()
model.mean.fill_(0.5)

example = (torch.randn(2, 4),)
ep = torch.export.export(model, example)  # TODO: batches of any size
torch.export.save(ep, "net.pt2")

served = torch.export.load("net.pt2").module()
print("batch of 5:", tuple(served(torch.randn(5, 4)).shape))
