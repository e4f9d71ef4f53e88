# kind: misconception
# Honest mistake: `detach()` is believed to take the tensors out of the model; it shares
# their memory.
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
x, y = torch.randn(32, 4), torch.randn(32, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.7)  # too high: the loss goes down, then up

best_loss, best = float("inf"), None
for step in range(6):
    loss = F.mse_loss(model(x), y)
    print(f"step {step}: loss {loss.item():.4f}")
    if loss.item() < best_loss:
        best_loss = loss.item()
        best = {key: value.detach() for key, value in model.state_dict().items()}  # cut loose
    opt.zero_grad()
    loss.backward()
    opt.step()

check = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
check.load_state_dict(best)
print(f"best loss seen: {best_loss:.4f}")
print(f"loss with the kept weights: {F.mse_loss(check(x), y).item():.4f}")
