# Lesson: train and eval. Fine-tune `head` on new data, then evaluate.
# `body` is pretrained: it must come out of fine-tuning exactly as it went in.
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
# TODO: leave every parameter and every buffer of `body` as it is
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
print("batches body's BatchNorm has counted:", model.body[1].num_batches_tracked.item())
