# EXPECT: one of the views a multi-output view op returned
# EXPECT: `scores = scores.masked_fill(mask, float("-inf"))`
# %%
import torch
from torch import nn

torch.manual_seed(0)
qk = nn.Linear(6, 12)
x = torch.randn(4, 6)
# %%
q, k = qk(x).chunk(2, dim=-1)  # ORIGIN
scores = q
mask = torch.rand(4, 6) > 0.5
# %%
scores.masked_fill_(mask, float("-inf"))  # CULPRIT
