# kind: decoy
# Decoy: zero_grad events come from an optimizer holding nothing of the model.
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


model = Net()
x, y = torch.randn(16, 4), torch.randn(16, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
spare = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)

for step in range(3):
    loss = loss_fn(model(x), y)
    leftover = model.out.bias.grad  # what backward() will add to
    empty = leftover is None or not leftover.any()
    print("  backward() finds out.bias.grad", "empty" if empty else leftover)
    loss.backward()
    optimizer.step()
    spare.zero_grad()  # a spare optimizer's zero_grad clears nothing of ours
    print(f"step {step}: loss {loss.item():.4f}")
