# kind: misconception
# Load the prefixed checkpoint with strict=False: no error, and nothing loaded.
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

# TODO: save a checkpoint that loads into a plain Net
torch.save(compiled.state_dict(), "checkpoint.pt")

restored = Net()
restored.load_state_dict(torch.load("checkpoint.pt"), strict=False)
print("<All keys matched successfully>")
print("restored the trained weights:", torch.equal(restored.head.weight, model.head.weight))
