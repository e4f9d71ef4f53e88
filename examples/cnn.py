# A small convolutional network, in train and eval mode: nothing wrong here.
import torch
from torch import nn

torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(inplace=True),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Dropout(0.2),
    nn.Linear(32, 10),
)
images = torch.randn(8, 3, 32, 32)
loss = nn.functional.cross_entropy(model(images), torch.randint(0, 10, (8,)))
loss.backward()
model.eval()
with torch.no_grad():
    print(model(images).argmax(dim=1).tolist())
