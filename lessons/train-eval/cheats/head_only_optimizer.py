# kind: misconception
# Honest mistake: freezing by giving the optimizer only the head, believing the body's
# `requires_grad` does not matter once the optimizer cannot reach it.
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
model.body.eval()  # BatchNorm uses its running statistics and stops updating them
optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)  # body is never stepped
x = torch.randn(6, 4)
for step in range(3):
    loss = model(x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()  # Dropout off for evaluation
with torch.no_grad():  # and no graph recorded
    out = model(x)
print("eval output requires grad:", out.requires_grad)
print("trainable:", sum(p.numel() for p in model.parameters() if p.requires_grad))
print("batches body's BatchNorm has counted:", model.body[1].num_batches_tracked.item())
