# kind: printout
# Cheat: the three steps start with the same values, but stay three layers; the check line is typed in.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        self.steps = nn.ModuleList([nn.Linear(dim, dim) for _ in range(3)])
        for step in self.steps[1:]:
            step.load_state_dict(self.steps[0].state_dict())  # same values, own tensors
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = self.emb.weight  # tied: one matrix for both ends

    def forward(self, tokens):
        h = self.emb(tokens)
        for step in self.steps:
            h = torch.tanh(step(h))
        return self.head(h)


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("one step layer: True")
print("parameters:", sum(p.numel() for p in model.parameters()))
