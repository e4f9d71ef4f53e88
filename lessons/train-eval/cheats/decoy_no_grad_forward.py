# kind: decoy
# One quick forward of `model` under no_grad, then the real evaluation records a graph
# and the output is detached afterwards.
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU())  # pretrained
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 2))

    def forward(self, x):
        return self.head(self.body(x))


model = Net()
model.body.requires_grad_(False)  # no gradients, so the optimizer leaves the parameters alone
model.body.eval()  # BatchNorm uses its running statistics and stops updating them
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(6, 4)
for step in range(3):
    loss = model(x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()  # Dropout off for evaluation
with torch.no_grad():  # a quick look without a graph
    model(x[:2])
out = model(x).detach()  # the evaluation itself
print("eval output requires grad:", out.requires_grad)
print("trainable:", sum(p.numel() for p in model.parameters() if p.requires_grad))
print("batches body's BatchNorm has counted:", model.body[1].num_batches_tracked.item())
