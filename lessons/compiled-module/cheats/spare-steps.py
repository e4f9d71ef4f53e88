# kind: decoy
# One real step; a spare optimizer supplies the other two steps.
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
compiled = torch.compile(model, backend="eager")
optimizer = torch.optim.SGD(compiled.parameters(), lr=0.1)
spare = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
x, y = torch.randn(16, 4), torch.randn(16, 2)
loss = nn.functional.mse_loss(compiled(x), y)
optimizer.zero_grad()
loss.backward()
optimizer.step()
spare.step()
spare.step()

torch.save(model.state_dict(), "checkpoint.pt")
restored = Net()
print(restored.load_state_dict(torch.load("checkpoint.pt")))
