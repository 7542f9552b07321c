"""``mutograd.distributions``: probability distributions with PyTorch's API and checks.

Normal, Uniform, Bernoulli, Categorical and MultivariateNormal, with
``sample``/``rsample`` (mutograd's generator), ``log_prob``, ``entropy``,
``mean``/``variance``/``stddev``, ``expand`` and argument validation.
"""

from . import constraints
from .categorical import Bernoulli, Categorical
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal, Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "MultivariateNormal",
    "Normal",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]
