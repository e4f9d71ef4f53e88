# Lesson: train and eval. Fine-tune `head` only, then evaluate.
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
model.body.eval()  # TODO: meant to freeze `body`
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(6, 4)
for step in range(3):
    loss = model(x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()
out = model(x)  # TODO: evaluation should not record a graph for backward
print("eval output requires grad:", out.requires_grad)
print("trainable:", sum(p.numel() for p in model.parameters() if p.requires_grad))
