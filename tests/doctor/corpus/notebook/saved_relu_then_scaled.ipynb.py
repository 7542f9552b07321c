# EXPECT: aten::mul_.Tensor
# EXPECT: ReluBackward0
# EXPECT: `h = h.mul(...)`
# %%
import torch

torch.manual_seed(0)
w = torch.randn(5, requires_grad=True)
h = torch.relu(w * 2)  # ORIGIN
# %%
h.mul_(3)
# %%
h.sum().backward()  # CULPRIT
