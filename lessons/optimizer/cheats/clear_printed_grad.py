# kind: partial
# Cheat: clear only the gradient the loop prints; the other three keep adding up.
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
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # every registered parameter

for step in range(3):
    loss = loss_fn(model(x), y)
    leftover = model.out.bias.grad  # what backward() will add to
    empty = leftover is None or not leftover.any()
    print("  backward() finds out.bias.grad", "empty" if empty else leftover)
    loss.backward()
    optimizer.step()
    model.out.bias.grad = None  # only the tensor the loop prints
    print(f"step {step}: loss {loss.item():.4f}")
