# Lesson: call-not-forward.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


seen = []


def count_batch(module, args, output):
    seen.append(tuple(output.shape))


model = Net()
model.register_forward_hook(count_batch)

for batch in (torch.randn(5, 4), torch.randn(3, 4), torch.randn(6, 4)):
    y = model(batch)  # __call__: hooks, then forward, then hooks
print("batches the hook saw:", len(seen), seen)
