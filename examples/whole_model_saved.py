# torch.save(model) pickles the class; torch.load refuses it by default (weights_only=True).
# modbox finds: whole_model_saved (fix: torch.save(model.state_dict(), path))
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
torch.save(model, "model.pt")
try:
    torch.load("model.pt")
except Exception as error:
    print("torch.load failed:", type(error).__name__)
torch.save(model.state_dict(), "weights.pt")
print(list(torch.load("weights.pt")))
