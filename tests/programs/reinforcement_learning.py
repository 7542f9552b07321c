"""REINFORCE and actor-critic on a tiny hand-written pole-balancing environment
(pytorch/examples reinforcement_learning style: Categorical, saved log-probs, normalised
discounted returns with an eps from torch.finfo, smooth_l1_loss for the critic)."""

from __future__ import annotations

import math
from collections import deque, namedtuple

import numpy as np

from ._data import load_weights


class PoleEnv:
    """A cart with a pole: push left or right; reward 1 per step until it falls."""

    def __init__(self, seed, max_steps=60):
        self.rs = np.random.RandomState(seed)
        self.max_steps = max_steps

    def reset(self):
        self.state = self.rs.uniform(-0.05, 0.05, size=4)
        self.t = 0
        return self.state.copy(), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot**2 * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos**2 / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        dt = 0.02
        self.state = np.array([x + dt * x_dot, x_dot + dt * x_acc, theta + dt * theta_dot, theta_dot + dt * theta_acc])
        self.t += 1
        fallen = abs(self.state[0]) > 2.4 or abs(self.state[2]) > 0.21
        return self.state.copy(), 1.0, fallen, self.t >= self.max_steps, {}


def run(torch, method="reinforce", episodes=6, gamma=0.99, sample_with_torch=False):
    nn = torch.nn
    F = torch.nn.functional
    Categorical = torch.distributions.Categorical
    eps = torch.finfo(torch.float32).eps
    SavedAction = namedtuple("SavedAction", ["log_prob", "value"])
    choices = np.random.RandomState(5)

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.affine1 = nn.Linear(4, 32)
            self.dropout = nn.Dropout(p=0.0)
            self.action_head = nn.Linear(32, 2)
            self.value_head = nn.Linear(32, 1)
            self.saved_log_probs = []
            self.saved_actions = []
            self.rewards = []

        def forward(self, x):
            x = self.affine1(x)
            x = self.dropout(x)
            x = F.relu(x)
            action_prob = F.softmax(self.action_head(x), dim=-1)
            return action_prob, self.value_head(x)

    policy = Policy()
    load_weights(torch, policy, np.random.RandomState(9), scale=0.3)
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)

    def select_action(state):
        state = torch.from_numpy(state).float().unsqueeze(0)
        probs, state_value = policy(state)
        m = Categorical(probs)
        if sample_with_torch:
            action = m.sample()
        else:
            # The same draw as m.sample(), from NumPy: real PyTorch and mutograd agree.
            action = torch.tensor([int(choices.rand() > probs[0, 0].item())])
        policy.saved_log_probs.append(m.log_prob(action))
        policy.saved_actions.append(SavedAction(m.log_prob(action), state_value[0]))
        return action.item(), m.entropy().item()

    def finish_episode_reinforce():
        R = 0
        policy_loss = []
        returns = deque()
        for r in policy.rewards[::-1]:
            R = r + gamma * R
            returns.appendleft(R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        optimizer.step()
        return policy_loss.item()

    def finish_episode_actor_critic():
        R = 0
        policy_losses, value_losses, returns = [], [], []
        for r in policy.rewards[::-1]:
            R = r + gamma * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        for (log_prob, value), R in zip(policy.saved_actions, returns):
            advantage = R - value.item()
            policy_losses.append(-log_prob * advantage)
            value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))
        optimizer.zero_grad()
        loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()
        loss.backward()
        optimizer.step()
        return loss.item()

    env = PoleEnv(seed=543)
    running_reward = 10
    log = []
    for _ in range(episodes):
        state, _ = env.reset()
        ep_reward = 0
        entropies = []
        for _t in range(1, 10000):
            action, entropy = select_action(state)
            entropies.append(entropy)
            state, reward, terminated, truncated, _ = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if terminated or truncated:
                break
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        if method == "reinforce":
            log.append(finish_episode_reinforce())
        else:
            log.append(finish_episode_actor_critic())
        log.append(ep_reward)
        log.append(sum(entropies) / len(entropies))
        del policy.rewards[:]
        del policy.saved_log_probs[:]
        del policy.saved_actions[:]
    log.append(f"Average reward: {running_reward:.2f}")
    return log
