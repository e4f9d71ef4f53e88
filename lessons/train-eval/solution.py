# Lesson: train and eval.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)  # pretrained: must not change
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.drop(torch.relu(self.body(x))))


model = Net()
model.body.requires_grad_(False)  # frozen: no gradients, so the optimizer skips it
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
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
