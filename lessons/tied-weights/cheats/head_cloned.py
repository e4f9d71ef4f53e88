# kind: misconception
# Honest mistake: the head is given a clone of the embedding's weight, believed to tie them;
# the two then learn apart.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        step = nn.Linear(dim, dim)
        self.steps = nn.ModuleList([step, step, step])  # one Linear at three paths
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = nn.Parameter(self.emb.weight.clone())  # the same matrix

    def forward(self, tokens):
        h = self.emb(tokens)
        for step in self.steps:
            h = torch.tanh(step(h))
        return self.head(h)


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("one step layer:", model.steps[0] is model.steps[1] is model.steps[2])
print("parameters:", sum(p.numel() for p in model.parameters()))
