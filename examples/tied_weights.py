# A language-model head that shares the embedding's weight: one tensor, two names.
# modbox notes: shared_parameter (info: counted once)
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=1000, dim=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.mix = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.embed.weight

    def forward(self, tokens):
        return self.head(torch.tanh(self.mix(self.embed(tokens))))


model = TinyLM()
print(sum(p.numel() for p in model.parameters()), "parameters")
print(list(model.state_dict()))
print(model(torch.randint(0, 1000, (2, 5))).shape)
