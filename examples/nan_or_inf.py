# A log of values that can be zero or negative: the output is NaN although the input is fine.
import torch
from torch import nn

torch.manual_seed(0)


class LogFeatures(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        h = self.fc(x)
        h = torch.log(h)
        return self.head(h)


model = LogFeatures()
print(model(torch.randn(16, 4)).mean())
