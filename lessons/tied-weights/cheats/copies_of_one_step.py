# kind: misconception
# Honest mistake: three deep copies of one layer are believed to be that one layer.
import copy

import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        step = nn.Linear(dim, dim)
        self.steps = nn.ModuleList([copy.deepcopy(step) for _ in range(3)])  # the same layer, thrice
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = self.emb.weight  # tied: one matrix for both ends

    def forward(self, tokens):
        h = self.emb(tokens)
        for step in self.steps:
            h = torch.tanh(step(h))
        return self.head(h)


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("one step layer:", model.steps[0] is model.steps[1] is model.steps[2])
print("parameters:", sum(p.numel() for p in model.parameters()))
