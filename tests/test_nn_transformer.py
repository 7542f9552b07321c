"""F.scaled_dot_product_attention, nn.MultiheadAttention and the Transformer family against
torch 2.13: parameter names/shapes and repr, outputs, attention weights and gradients in
float64 with torch's weights copied across (dropout 0), masks of both kinds, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _fd import directional_gradcheck
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _data(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def _close(a, b, tol=1e-12):
    if b is None:
        assert a is None
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _copy(module, tmodule):
    module.load_state_dict(
        {k: mutograd.tensor(v.detach().numpy().copy()) for k, v in tmodule.state_dict().items()}
    )


def _mask(T, kind, shape, seed):
    if kind is None:
        return None
    rng = np.random.default_rng(seed)
    if kind == "bool":
        m = rng.random(shape) < 0.3
        m[..., 0] = False  # every row keeps at least one position
        return T.tensor(m)
    if kind == "bool_allow":
        m = rng.random(shape) > 0.3
        m[..., 0] = True
        return T.tensor(m)
    return T.tensor(rng.standard_normal(shape))


# --- scaled_dot_product_attention ---------------------------------------------------------


SDPA = [
    ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {}),
    ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"scale": 0.3}),
    ((4, 5), (6, 5), (6, 2), {"mask": "float"}),
    ((2, 4, 5), (2, 6, 5), (2, 6, 5), {"mask": "bool_allow"}),
    ((2, 3, 4, 5), (2, 3, 4, 5), (2, 3, 4, 5), {"is_causal": True}),
    ((2, 3, 5, 4), (2, 3, 3, 4), (2, 3, 3, 4), {"is_causal": True}),
    ((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 5), {"enable_gqa": True}),
]


@pytest.mark.parametrize(("q", "k", "v", "opts"), SDPA)
def test_sdpa_matches_torch(torch, q, k, v, opts):
    opts = dict(opts)
    mask_kind = opts.pop("mask", None)
    results = []
    for T in (mutograd, torch):
        leaves = [T.tensor(_data(s, i), requires_grad=True) for i, s in enumerate((q, k, v))]
        mask = _mask(T, mask_kind, (q[-2], k[-2]), 9)
        out = T.nn.functional.scaled_dot_product_attention(*leaves, attn_mask=mask, **opts)
        (out * T.tensor(_data(tuple(out.shape), 5))).sum().backward()
        results.append((out, [x.grad for x in leaves]))
    (out, grads), (tout, tgrads) = results
    _close(out, tout)
    for g, tg in zip(grads, tgrads, strict=True):
        _close(g, tg)


def test_sdpa_gradcheck_and_dropout_shape():
    F = mutograd.nn.functional
    q, k, v = _data((2, 3, 4), 0), _data((2, 5, 4), 1), _data((2, 5, 3), 2)
    assert directional_gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), [q, k, v])
    out = F.scaled_dot_product_attention(*(mutograd.tensor(a) for a in (q, k, v)), dropout_p=0.5)
    assert tuple(out.shape) == (2, 3, 3)


def test_sdpa_mask_and_causal_is_an_error(torch):
    with pytest.raises(RuntimeError) as theirs:
        x = torch.zeros(2, 3, 4)
        torch.nn.functional.scaled_dot_product_attention(
            x, x, x, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True
        )
    with pytest.raises(RuntimeError) as ours:
        x = mutograd.zeros(2, 3, 4)
        mutograd.nn.functional.scaled_dot_product_attention(
            x, x, x, attn_mask=mutograd.ones(3, 3, dtype=mutograd.bool), is_causal=True
        )
    assert type(ours.value) is type(theirs.value)


# --- MultiheadAttention -----------------------------------------------------------------------


MHA = [
    ({}, "self", {}),
    ({"batch_first": True}, "self", {"need_weights": False}),
    ({}, "cross", {"average_attn_weights": False}),
    ({"kdim": 3, "vdim": 5}, "cross", {}),
    ({"add_bias_kv": True, "add_zero_attn": True}, "cross", {"attn_mask": "float"}),
    ({"bias": False, "batch_first": True}, "kv", {"key_padding_mask": "bool"}),
    ({}, "self", {"attn_mask": "bool", "key_padding_mask": "float"}),
    ({}, "self", {"attn_mask": "bool", "need_weights": False}),
    ({}, "self", {"attn_mask": "causal", "is_causal": True, "need_weights": False}),
    ({"add_bias_kv": True}, "self", {"key_padding_mask": "bool", "need_weights": False}),
    ({}, "unbatched", {"attn_mask": "float"}),
    ({}, "unbatched", {"need_weights": False}),
]


def _mha_inputs(T, kind, batch_first, kdim, vdim, seed=0):
    L, S, N, E = 4, 6, 3, 8

    def shape(length, dim):  # noqa: E306
        if kind == "unbatched":
            return (length, dim)
        return (N, length, dim) if batch_first else (length, N, dim)

    q = T.tensor(_data(shape(L, E), seed), requires_grad=True)
    if kind == "self" or kind == "unbatched":
        return q, q, q, [q], L, L
    k = T.tensor(_data(shape(S, kdim), seed + 1), requires_grad=True)
    if kind == "kv":
        return q, k, k, [q, k], L, S
    v = T.tensor(_data(shape(S, vdim), seed + 2), requires_grad=True)
    return q, k, v, [q, k, v], L, S


@pytest.mark.parametrize(("ctor", "kind", "call"), MHA)
def test_multihead_attention_matches_torch(torch, ctor, kind, call):
    tm = torch.nn.MultiheadAttention(8, 2, **ctor).double()
    m = mutograd.nn.MultiheadAttention(8, 2, dtype=mutograd.float64, **ctor)
    assert [(k, tuple(p.shape)) for k, p in m.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in tm.named_parameters()
    ]
    assert repr(m) == repr(tm)
    _copy(m, tm)
    results = []
    for T, mod in ((mutograd, m), (torch, tm)):
        q, k, v, leaves, L, S = _mha_inputs(
            T, kind, ctor.get("batch_first", False), ctor.get("kdim", 8), ctor.get("vdim", 8)
        )
        kwargs = dict(call)
        if kwargs.get("attn_mask") == "causal":
            kwargs["attn_mask"] = T.nn.Transformer.generate_square_subsequent_mask(L).double()
        elif "attn_mask" in kwargs:
            kwargs["attn_mask"] = _mask(T, kwargs["attn_mask"], (L, S), 3)
        if "key_padding_mask" in kwargs:
            kwargs["key_padding_mask"] = _mask(T, kwargs["key_padding_mask"], (3, S), 4)
        out, weights = mod(q, k, v, **kwargs)
        loss = (out * T.tensor(_data(tuple(out.shape), 5))).sum()
        if weights is not None:
            loss = loss + (weights * T.tensor(_data(tuple(weights.shape), 6))).sum()
        loss.backward()
        results.append((out, weights, [x.grad for x in leaves], dict(mod.named_parameters())))
    (out, w, grads, params), (tout, tw, tgrads, tparams) = results
    _close(out, tout)
    _close(w, tw)
    for g, tg in zip(grads, tgrads, strict=True):
        _close(g, tg)
    for name, p in tparams.items():
        _close(params[name].grad, p.grad)


def test_multihead_attention_init_follows_torch():
    m = mutograd.nn.MultiheadAttention(8, 2, add_bias_kv=True)
    assert float(m.in_proj_bias.detach().abs().max()) == 0.0
    assert float(m.out_proj.bias.detach().abs().max()) == 0.0
    bound = (6 / (8 + 24)) ** 0.5  # xavier_uniform on (24, 8)
    assert float(m.in_proj_weight.detach().abs().max()) <= bound


@pytest.mark.parametrize(
    "make",
    [
        lambda T: T.nn.MultiheadAttention(8, 3),
        lambda T: T.nn.MultiheadAttention(0, 2),
        lambda T: T.nn.MultiheadAttention(8, 2)(T.zeros(4, 3, 8), T.zeros(4, 3, 8), T.zeros(4, 3, 8), attn_mask=T.zeros(3, 3)),
        lambda T: T.nn.MultiheadAttention(8, 2)(T.zeros(4, 3, 8), T.zeros(4, 3, 8), T.zeros(4, 3, 8), attn_mask=T.zeros(4, 4), is_causal=True, need_weights=False, key_padding_mask=T.zeros(2, 4)),
        lambda T: T.nn.MultiheadAttention(8, 2)(T.zeros(4, 3, 8), T.zeros(4, 3, 8), T.zeros(4, 3, 8), is_causal=True),
        lambda T: T.nn.MultiheadAttention(8, 2)(T.zeros(4, 3, 8), T.zeros(4, 8), T.zeros(4, 8)),
        lambda T: T.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
        lambda T: T.nn.Transformer(8, 2, 1, 1, 16)(T.zeros(4, 3, 8), T.zeros(4, 2, 8)),
        lambda T: T.nn.Transformer(8, 2, 1, 1, 16)(T.zeros(4, 3, 8), T.zeros(4, 3, 6)),
    ],
)  # fmt: skip
def test_errors_match_torch(torch, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            make(torch)
        with pytest.raises(Exception) as ours:
            make(mutograd)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


# --- Transformer layers -------------------------------------------------------------------------


LAYERS = [
    {},
    {"norm_first": True},
    {"activation": "gelu", "batch_first": True},
    {"bias": False, "layer_norm_eps": 1e-6},
]


def _seq(T, shape, seed):
    return T.tensor(_data(shape, seed), requires_grad=True)


@pytest.mark.parametrize("opts", LAYERS)
@pytest.mark.parametrize("masks", [False, True])
def test_encoder_layer_matches_torch(torch, opts, masks):
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **opts).double()
    layer = mutograd.nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, dtype=mutograd.float64, **opts
    )
    assert repr(layer) == repr(tl)
    _copy(layer, tl)
    shape = (3, 5, 8) if opts.get("batch_first") else (5, 3, 8)
    results = []
    for T, mod in ((mutograd, layer), (torch, tl)):
        x = _seq(T, shape, 0)
        kwargs = {}
        if masks:
            kwargs["src_mask"] = T.nn.Transformer.generate_square_subsequent_mask(5).double()
            kwargs["src_key_padding_mask"] = _mask(T, "bool", (3, 5), 1)
        out = mod(x, **kwargs)
        (out * T.tensor(_data(tuple(out.shape), 2))).sum().backward()
        results.append((out, x.grad, dict(mod.named_parameters())))
    (out, g, params), (tout, tg, tparams) = results
    _close(out, tout, 1e-11)
    _close(g, tg, 1e-11)
    for name, p in tparams.items():
        _close(params[name].grad, p.grad, 1e-11)


@pytest.mark.parametrize("opts", LAYERS)
def test_decoder_layer_matches_torch(torch, opts):
    tl = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **opts).double()
    layer = mutograd.nn.TransformerDecoderLayer(
        8, 2, 16, dropout=0.0, dtype=mutograd.float64, **opts
    )
    assert repr(layer) == repr(tl)
    _copy(layer, tl)
    bf = opts.get("batch_first")
    results = []
    for T, mod in ((mutograd, layer), (torch, tl)):
        tgt = _seq(T, (3, 4, 8) if bf else (4, 3, 8), 0)
        mem = _seq(T, (3, 6, 8) if bf else (6, 3, 8), 1)
        out = mod(
            tgt,
            mem,
            tgt_mask=T.nn.Transformer.generate_square_subsequent_mask(4).double(),
            memory_key_padding_mask=_mask(T, "bool", (3, 6), 2),
        )
        (out * T.tensor(_data(tuple(out.shape), 3))).sum().backward()
        results.append((out, tgt.grad, mem.grad, dict(mod.named_parameters())))
    (out, g1, g2, params), (tout, tg1, tg2, tparams) = results
    _close(out, tout, 1e-11)
    _close(g1, tg1, 1e-11)
    _close(g2, tg2, 1e-11)
    for name, p in tparams.items():
        _close(params[name].grad, p.grad, 1e-11)


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(torch, batch_first):
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        tm = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first).double()
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        m = mutograd.nn.Transformer(
            8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first, dtype=mutograd.float64
        )
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert [(k, tuple(p.shape)) for k, p in m.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in tm.named_parameters()
    ]
    assert repr(m) == repr(tm)
    _copy(m, tm)
    results = []
    for T, mod in ((mutograd, m), (torch, tm)):
        src = _seq(T, (3, 5, 8) if batch_first else (5, 3, 8), 0)
        tgt = _seq(T, (3, 4, 8) if batch_first else (4, 3, 8), 1)
        mask = T.nn.Transformer.generate_square_subsequent_mask(4).double()
        out = mod(src, tgt, tgt_mask=mask, src_key_padding_mask=_mask(T, "bool", (3, 5), 2))
        (out * T.tensor(_data(tuple(out.shape), 3))).sum().backward()
        results.append((out, src.grad, tgt.grad, dict(mod.named_parameters())))
    (out, g1, g2, params), (tout, tg1, tg2, tparams) = results
    _close(out, tout, 1e-11)
    _close(g1, tg1, 1e-11)
    _close(g2, tg2, 1e-11)
    for name, p in tparams.items():
        _close(params[name].grad, p.grad, 1e-10)


def test_generate_square_subsequent_mask(torch):
    ours = mutograd.nn.Transformer.generate_square_subsequent_mask(4)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert ours.dtype is mutograd.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_encoder_stack_with_norm_and_warning(torch):
    for batch_first in (False, True):
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=batch_first)
            te = torch.nn.TransformerEncoder(tl.double(), 3, torch.nn.LayerNorm(8).double())
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            layer = mutograd.nn.TransformerEncoderLayer(
                8, 2, 16, dropout=0.0, batch_first=batch_first, dtype=mutograd.float64
            )
            e = mutograd.nn.TransformerEncoder(
                layer, 3, mutograd.nn.LayerNorm(8, dtype=mutograd.float64)
            )
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
        _copy(e, te)
        x = _data((5, 3, 8), 0)
        te.eval()
        e.eval()
        with torch.no_grad():
            tout = te(
                torch.tensor(x),
                mask=torch.nn.Transformer.generate_square_subsequent_mask(
                    3 if batch_first else 5
                ).double(),
            )
        out = e(mutograd.tensor(x), mask=mutograd.nn.Transformer.generate_square_subsequent_mask(
            3 if batch_first else 5, dtype=mutograd.float64))  # fmt: skip
        _close(out, tout, 1e-11)


def test_encoder_layers_are_independent_copies():
    layer = mutograd.nn.TransformerEncoderLayer(8, 2, 16)
    e = mutograd.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    a, b = e.layers[0].linear1.weight, e.layers[1].linear1.weight
    assert a is not b and a.data_ptr() != b.data_ptr()
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_training_dropout_runs():
    m = mutograd.nn.Transformer(8, 2, 1, 1, 16, dropout=0.5)
    m.train()
    out = m(mutograd.randn(5, 2, 8), mutograd.randn(3, 2, 8))
    assert tuple(out.shape) == (3, 2, 8)
    out.sum().backward()
    assert all(p.grad is not None for p in m.parameters())


def test_transformer_language_model_loop_matches_torch(torch):
    # The shape of pytorch/examples' word_language_model TransformerModel: sinusoidal
    # positions in a buffer, a causal mask from log(tril(ones)), an encoder stack, a
    # log_softmax decoder, NLL loss, clip_grad_norm_ and a manual SGD step.
    import math

    vocab, d_model, seq, batch = 13, 8, 6, 3
    data = np.random.default_rng(1).integers(0, vocab, size=(3 * seq + 1, batch))

    def build(T):
        class PositionalEncoding(T.nn.Module):
            def __init__(self):
                super().__init__()
                pe = T.zeros(50, d_model, dtype=T.float64)
                position = T.arange(0, 50, dtype=T.float64).unsqueeze(1)
                div_term = T.exp(T.arange(0, d_model, 2).double() * (-math.log(10000.0) / d_model))
                pe[:, 0::2] = T.sin(position * div_term)
                pe[:, 1::2] = T.cos(position * div_term)
                self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

            def forward(self, x):
                return x + self.pe[: x.size(0), :]

        class Model(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.pos = PositionalEncoding()
                layer = T.nn.TransformerEncoderLayer(d_model, 2, 16, 0.0, dtype=T.float64)
                self.encoder = T.nn.TransformerEncoder(layer, 2)
                self.embed = T.nn.Embedding(vocab, d_model, dtype=T.float64)
                self.decoder = T.nn.Linear(d_model, vocab, dtype=T.float64)

            def forward(self, src, mask):
                x = self.pos(self.embed(src) * math.sqrt(d_model))
                out = self.decoder(self.encoder(x, mask))
                return T.nn.functional.log_softmax(out, dim=-1)

        return Model()

    def run(T, model):
        mask = T.log(T.tril(T.ones(seq, seq, dtype=T.float64)))
        losses = []
        for i in range(0, 3 * seq, seq):
            src = T.tensor(data[i : i + seq])
            target = T.tensor(data[i + 1 : i + 1 + seq].reshape(-1))
            model.zero_grad()
            out = model(src, mask)
            loss = T.nn.functional.nll_loss(out.view(-1, vocab), target)
            loss.backward()
            T.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-5.0)
            losses.append(loss.item())
        return losses

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tmodel, model = build(torch), build(mutograd)
    _copy(model, tmodel)
    np.testing.assert_allclose(run(mutograd, model), run(torch, tmodel), rtol=1e-10)
