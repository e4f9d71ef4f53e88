# A small multilayer perceptron trained for a few steps: nothing wrong here.
import torch
from torch import nn

torch.manual_seed(0)


class MLP(nn.Module):
    def __init__(self, sizes=(4, 32, 32, 1)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.act = nn.ReLU(inplace=True)
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        self.steps += 1
        return self.layers[-1](x)


model = MLP()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
x, y = torch.randn(64, 4), torch.randn(64, 1)
for step in range(5):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
print("loss", round(loss.item(), 4), "steps", int(model.steps))
torch.save(model.state_dict(), "mlp.pt")
