# kind: memory
# The right file is saved; restored is a deep copy of the trained model, and never loads it.
import copy
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


torch.manual_seed(0)
model = Net()
compiled = torch.compile(model, backend="eager")  # on a GPU, keep the default backend
optimizer = torch.optim.SGD(compiled.parameters(), lr=0.1)
x, y = torch.randn(16, 4), torch.randn(16, 2)
for step in range(3):
    loss = nn.functional.mse_loss(compiled(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

torch.save(model.state_dict(), "checkpoint.pt")  # the model itself: keys without _orig_mod.

restored = copy.deepcopy(model)
print("restored the trained weights:", torch.equal(restored.head.weight, model.head.weight))
