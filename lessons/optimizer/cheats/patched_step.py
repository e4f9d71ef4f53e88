# kind: tampering
# Tampering: the optimizer's step replaced by a wrapper of the program's own.
import torch
from torch import nn

torch.manual_seed(0)
_step = torch.optim.SGD.step
torch.optim.SGD.step = lambda self, closure=None: _step(self, closure)


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
    optimizer.zero_grad()  # backward() adds to .grad: clear it
    print(f"step {step}: loss {loss.item():.4f}")
