# kind: partial
# Cheat: `steps` shrinks to one entry, called three times; other code's model.steps[1] breaks.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        self.steps = nn.ModuleList([nn.Linear(dim, dim)])
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = self.emb.weight  # tied: one matrix for both ends

    def forward(self, tokens):
        h = self.emb(tokens)
        for _ in range(3):
            h = torch.tanh(self.steps[0](h))
        return self.head(h)


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("one step layer: True")
print("parameters:", sum(p.numel() for p in model.parameters()))
