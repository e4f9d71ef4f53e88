# Lesson: optimizer. Three training steps on one batch.
# Which parameters does the optimizer really change, and
# what does backward() find in .grad?
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


def report_leftover(new_grad):
    # runs just before backward() adds new_grad to .grad
    old = model.out.bias.grad
    state = "clean" if old is None or not old.any() else "stale"
    print("  backward() found out.bias.grad", state)


# a watcher (a tensor hook, lesson 10): leave it as it is
model.out.bias.register_hook(report_leftover)
# TODO: the optimizer's tensors
optimizer = torch.optim.SGD([model.hidden.weight, model.hidden.bias], lr=0.1)

for step in range(3):
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()  # TODO: what happens to .grad afterwards?
    print(f"step {step}: loss {loss.item():.4f}")
