#!/usr/bin/env python3
"""Generate tiny GPT-2 checkpoints in Hugging Face layout plus reference logits.

These fixtures let circuitscope's Java loader and forward pass be tested against
files written by a tool other than the Java code, and against logits computed by
an independent (numpy, float64) implementation of Hugging Face's
``GPT2LMHeadModel`` forward pass (eval mode, no dropout).

Only numpy is required (no torch, no safetensors package): the safetensors
format is written by hand (8-byte little-endian header length, JSON header
padded with spaces to a multiple of 8, raw little-endian tensor data) and read
back by a small independent parser to assert the round trip.

Rerun (from the repository root):

    python3 core/src/test/python/make_hf_gpt2_fixtures.py

Output (overwritten) under core/src/test/resources/hf-gpt2/:

    prefixed-tied/         "transformer." prefix, tied lm_head, F32,
                           includes attn.bias / attn.masked_bias buffers
    plain-untied/          no prefix, distinct lm_head.weight, F32, no buffers
    plain-tied-f16/        no prefix, tied, all tensors F16
    prefixed-untied-bf16/  prefix, top-level lm_head.weight, all tensors BF16
                           (round-to-nearest-even from float32), includes
                           the attn.bias / attn.masked_bias buffers (as BF16)

Each directory holds config.json, model.safetensors, reference.json
({"tokens": [...12 ids...], "note": ...}) and expected_logits.npy
(float32, shape [12, 101]). Reference logits are computed in float64 from the
values exactly as stored (i.e. after F16/BF16 rounding).

The script is deterministic: fixed seed, fixed key order, fixed JSON layout.
"""

import json
import math
import os
import struct
import sys

import numpy as np

SEED = 20240611

N_LAYER = 2
N_EMBD = 32
N_HEAD = 4
N_POSITIONS = 16
VOCAB = 101
N_INNER = 4 * N_EMBD  # n_inner = null in config -> 4 * n_embd
LN_EPS = 1e-5
N_TOKENS = 12

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_ROOT = os.path.normpath(
    os.path.join(HERE, "..", "resources", "hf-gpt2"))


# ---------------------------------------------------------------------------
# dtype handling
# ---------------------------------------------------------------------------

def bf16_bits_from_f32(a):
    """float32 array -> uint16 bf16 bit patterns, round-to-nearest-even."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    assert np.all(np.isfinite(a))
    u = a.view(np.uint32).astype(np.uint64)
    rounding = ((u >> np.uint64(16)) & np.uint64(1)) + np.uint64(0x7FFF)
    return ((u + rounding) >> np.uint64(16)).astype(np.uint16)


def f32_from_bf16_bits(bits):
    bits = np.asarray(bits, dtype=np.uint16)
    return (bits.astype(np.uint32) << np.uint32(16)).view(np.float32)


def store(a, dtype):
    """Round a float32 array to the storage dtype.

    Returns (raw little-endian bytes, float64 array of the stored values).
    """
    a = np.asarray(a, dtype=np.float32)
    if dtype == "F32":
        stored = a.astype("<f4")
        return stored.tobytes(), stored.astype(np.float64)
    if dtype == "F16":
        stored = a.astype("<f2")  # numpy casts with round-to-nearest-even
        assert np.all(np.isfinite(stored))
        return stored.tobytes(), stored.astype(np.float64)
    if dtype == "BF16":
        bits = bf16_bits_from_f32(a).astype("<u2")
        return bits.tobytes(), f32_from_bf16_bits(bits).astype(np.float64)
    raise ValueError(dtype)


# ---------------------------------------------------------------------------
# safetensors writer / independent reader
# ---------------------------------------------------------------------------

def write_safetensors(path, tensors):
    """tensors: list of (name, dtype_str, shape, raw_bytes), written in order."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape, raw in tensors:
        assert name not in header
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for _, _, _, raw in tensors:
            f.write(raw)


_ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2}


def read_safetensors(path):
    """Independent minimal parser. Returns ({name: float64 array}, {name: dtype},
    metadata). Validates the layout strictly."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack_from("<Q", blob, 0)
    assert n % 8 == 0, "header not padded to multiple of 8"
    assert 8 + n <= len(blob)
    htext = blob[8:8 + n].decode("utf-8")
    assert htext.startswith("{") and htext.rstrip(" ").endswith("}")
    header = json.loads(htext)
    meta = header.pop("__metadata__", None)
    data = blob[8 + n:]
    spans = []
    out, dtypes = {}, {}
    for name, info in header.items():
        dt, shape = info["dtype"], info["shape"]
        b, e = info["data_offsets"]
        count = int(np.prod(shape)) if shape else 1
        assert e - b == count * _ITEMSIZE[dt], name
        raw = data[b:e]
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        else:  # BF16: decode manually, bit by bit, without helper reuse
            ints = struct.unpack("<%dH" % count, raw)
            arr = np.array([struct.unpack("<f", struct.pack("<I", v << 16))[0]
                            for v in ints], dtype=np.float64)
        out[name] = arr.reshape(shape)
        dtypes[name] = dt
        spans.append((b, e))
    # data buffer must be exactly covered, no holes/overlaps
    spans.sort()
    pos = 0
    for b, e in spans:
        assert b == pos, "hole/overlap in data buffer"
        pos = e
    assert pos == len(data), "trailing bytes in data buffer"
    return out, dtypes, meta


# ---------------------------------------------------------------------------
# weights
# ---------------------------------------------------------------------------

def make_weights(rng, untied):
    """Float32 weights keyed by un-prefixed HF names (lm_head separate)."""
    def n(*shape, std=0.2, mean=0.0):
        return (mean + std * rng.standard_normal(shape)).astype(np.float32)

    w = {}
    w["wte.weight"] = n(VOCAB, N_EMBD)
    w["wpe.weight"] = n(N_POSITIONS, N_EMBD)
    for i in range(N_LAYER):
        p = "h.%d." % i
        w[p + "ln_1.weight"] = n(N_EMBD, mean=1.0)
        w[p + "ln_1.bias"] = n(N_EMBD)
        w[p + "attn.c_attn.weight"] = n(N_EMBD, 3 * N_EMBD)
        w[p + "attn.c_attn.bias"] = n(3 * N_EMBD)
        w[p + "attn.c_proj.weight"] = n(N_EMBD, N_EMBD)
        w[p + "attn.c_proj.bias"] = n(N_EMBD)
        w[p + "ln_2.weight"] = n(N_EMBD, mean=1.0)
        w[p + "ln_2.bias"] = n(N_EMBD)
        w[p + "mlp.c_fc.weight"] = n(N_EMBD, N_INNER)
        w[p + "mlp.c_fc.bias"] = n(N_INNER)
        w[p + "mlp.c_proj.weight"] = n(N_INNER, N_EMBD)
        w[p + "mlp.c_proj.bias"] = n(N_EMBD)
    w["ln_f.weight"] = n(N_EMBD, mean=1.0)
    w["ln_f.bias"] = n(N_EMBD)
    lm_head = n(VOCAB, N_EMBD) if untied else None
    return w, lm_head


# ---------------------------------------------------------------------------
# reference forward pass (HF GPT2LMHeadModel semantics, float64)
# ---------------------------------------------------------------------------

def layer_norm(x, g, b):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # biased variance
    return (x - mu) / np.sqrt(var + LN_EPS) * g + b


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi)
                                    * (x + 0.044715 * x ** 3)))


def forward(w, lm_head, tokens):
    """w: un-prefixed float64 weights; lm_head: float64 [V, E] or None (tied)."""
    T = len(tokens)
    dh = N_EMBD // N_HEAD
    x = w["wte.weight"][tokens] + w["wpe.weight"][np.arange(T)]
    causal = np.tril(np.ones((T, T), dtype=bool))
    for i in range(N_LAYER):
        p = "h.%d." % i
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        # [T, E] -> [H, T, dh]; head h owns columns h*dh:(h+1)*dh
        q = q.reshape(T, N_HEAD, dh).transpose(1, 0, 2)
        k = k.reshape(T, N_HEAD, dh).transpose(1, 0, 2)
        v = v.reshape(T, N_HEAD, dh).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
        scores = np.where(causal[None], scores, -np.inf)
        scores = scores - scores.max(axis=-1, keepdims=True)
        pat = np.exp(scores)
        pat = pat / pat.sum(axis=-1, keepdims=True)
        z = pat @ v                                   # [H, T, dh]
        z = z.transpose(1, 0, 2).reshape(T, N_EMBD)   # merge heads
        x = x + z @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        h = gelu_new(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])
    unembed = w["wte.weight"] if lm_head is None else lm_head
    return x @ unembed.T


def naive_forward(w, lm_head, tokens):
    """Second, loop-based formulation (explicit per-position, per-head sums) used
    only to cross-check the vectorised forward() above."""
    T = len(tokens)
    dh = N_EMBD // N_HEAD
    E = N_EMBD

    def ln(vec, g, b):
        mu = sum(vec) / E
        var = sum((t - mu) ** 2 for t in vec) / E
        return [(vec[j] - mu) / math.sqrt(var + LN_EPS) * g[j] + b[j]
                for j in range(E)]

    def lin(vec, W, b):
        return list(np.asarray(vec) @ W + b)

    xs = [list(w["wte.weight"][tokens[t]] + w["wpe.weight"][t]) for t in range(T)]
    for i in range(N_LAYER):
        p = "h.%d." % i
        qkv = [lin(ln(xs[t], w[p + "ln_1.weight"], w[p + "ln_1.bias"]),
                   w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])
               for t in range(T)]
        new = []
        for t in range(T):
            z = [0.0] * E
            for hd in range(N_HEAD):
                qo, ko, vo = hd * dh, E + hd * dh, 2 * E + hd * dh
                sc = [sum(qkv[t][qo + j] * qkv[s][ko + j] for j in range(dh))
                      / math.sqrt(dh) for s in range(t + 1)]
                mx = max(sc)
                ex = [math.exp(c - mx) for c in sc]
                tot = sum(ex)
                for s in range(t + 1):
                    for j in range(dh):
                        z[hd * dh + j] += ex[s] / tot * qkv[s][vo + j]
            o = lin(z, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
            new.append([xs[t][j] + o[j] for j in range(E)])
        xs = new
        for t in range(T):
            m = ln(xs[t], w[p + "ln_2.weight"], w[p + "ln_2.bias"])
            hpre = lin(m, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"])
            hh = [0.5 * u * (1 + math.tanh(math.sqrt(2 / math.pi)
                                           * (u + 0.044715 * u * u * u)))
                  for u in hpre]
            o = lin(hh, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
            xs[t] = [xs[t][j] + o[j] for j in range(E)]
    U = w["wte.weight"] if lm_head is None else lm_head
    return np.array([[sum(a * b for a, b in zip(
        ln(xs[t], w["ln_f.weight"], w["ln_f.bias"]), U[v])) for v in range(VOCAB)]
        for t in range(T)])


# ---------------------------------------------------------------------------
# fixture assembly
# ---------------------------------------------------------------------------

def config_json(tied):
    cfg = {
        "model_type": "gpt2",
        "architectures": ["GPT2LMHeadModel"],
        "n_layer": N_LAYER,
        "n_embd": N_EMBD,
        "n_head": N_HEAD,
        "n_positions": N_POSITIONS,
        "n_ctx": N_POSITIONS,
        "vocab_size": VOCAB,
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": LN_EPS,
        "bos_token_id": 100,
        "eos_token_id": 100,
        "tie_word_embeddings": tied,
    }
    return json.dumps(cfg, indent=2) + "\n"


FIXTURES = [
    # name, prefixed, untied, dtype, buffers
    ("prefixed-tied", True, False, "F32", True),
    ("plain-untied", False, True, "F32", False),
    ("plain-tied-f16", False, False, "F16", False),
    ("prefixed-untied-bf16", True, True, "BF16", True),
]


def build(idx, name, prefixed, untied, dtype, buffers):
    rng = np.random.default_rng(SEED + idx)
    w32, lm32 = make_weights(rng, untied)
    tokens = [100] + [int(t) for t in rng.integers(0, VOCAB, N_TOKENS - 1)]
    tokens[7] = tokens[3]  # a repeated token somewhere in the middle

    pre = "transformer." if prefixed else ""
    tensors = []      # (file name, dtype, shape, raw)
    stored = {}       # un-prefixed name -> float64 stored values
    expected_names = []

    def add(fname, arr, dt):
        raw, val = store(arr, dt)
        tensors.append((fname, dt, arr.shape, raw))
        expected_names.append(fname)
        return val

    for key, arr in w32.items():
        stored[key] = add(pre + key, arr, dtype)
    if buffers:
        # buffers: attn.bias (causal mask) and attn.masked_bias; loaders ignore
        mask = np.tril(np.ones((N_POSITIONS, N_POSITIONS), dtype=np.float32))
        mask = mask.reshape(1, 1, N_POSITIONS, N_POSITIONS)
        for i in range(N_LAYER):
            add("%sh.%d.attn.bias" % (pre, i), mask, dtype)
            add("%sh.%d.attn.masked_bias" % (pre, i),
                np.array(-1e4, dtype=np.float32), dtype)
    lm_stored = None
    if untied:
        lm_stored = add("lm_head.weight", lm32, dtype)  # never prefixed

    # like the safetensors library (all tensors share one dtype here): data and
    # header entries ordered by tensor name
    tensors.sort(key=lambda t: t[0])
    expected_names.sort()

    d = os.path.join(OUT_ROOT, name)
    os.makedirs(d, exist_ok=True)
    st_path = os.path.join(d, "model.safetensors")
    write_safetensors(st_path, tensors)
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write(config_json(not untied))

    logits = forward(stored, lm_stored, np.array(tokens))
    np.testing.assert_allclose(naive_forward(stored, lm_stored, tokens),
                               logits, rtol=0, atol=1e-10)
    assert logits.shape == (N_TOKENS, VOCAB)
    assert np.all(np.isfinite(logits))
    assert np.abs(logits).max() < 30, np.abs(logits).max()
    np.save(os.path.join(d, "expected_logits.npy"), logits.astype(np.float32))

    note = ("Reference logits (float64 numpy reimplementation of HF "
            "GPT2LMHeadModel forward, eval mode, no dropout, stored as float32) "
            "for these tokens at positions 0..%d, computed from the %s values "
            "exactly as stored in model.safetensors. %s, %s. Generated by "
            "core/src/test/python/make_hf_gpt2_fixtures.py (seed %d)."
            % (N_TOKENS - 1, dtype,
               "keys prefixed with 'transformer.'" if prefixed else "keys without prefix",
               "untied lm_head.weight" if untied else "lm_head tied to wte",
               SEED + idx))
    with open(os.path.join(d, "reference.json"), "w") as f:
        f.write(json.dumps({"tokens": tokens, "note": note}, indent=2) + "\n")

    # ---- round-trip checks with the independent reader ----
    back, dtypes, meta = read_safetensors(st_path)
    assert meta == {"format": "pt"}
    assert list(back.keys()) == expected_names
    assert set(dtypes.values()) == {dtype}
    for key in w32:
        np.testing.assert_array_equal(back[pre + key], stored[key])
        assert back[pre + key].shape == w32[key].shape
    if untied:
        np.testing.assert_array_equal(back["lm_head.weight"], lm_stored)
    if buffers:
        for i in range(N_LAYER):
            mb = back["%sh.%d.attn.masked_bias" % (pre, i)]
            assert mb.shape == ()
            ab = back["%sh.%d.attn.bias" % (pre, i)]
            assert ab.shape == (1, 1, N_POSITIONS, N_POSITIONS)
            np.testing.assert_array_equal(ab[0, 0], np.tril(np.ones((16, 16))))
    # forward from the re-read file reproduces the saved logits
    rw = {k[len(pre):] if k.startswith(pre) else k: v for k, v in back.items()}
    logits2 = forward(rw, back.get("lm_head.weight"), np.array(tokens))
    np.testing.assert_array_equal(logits2, logits)
    np.testing.assert_array_equal(
        np.load(os.path.join(d, "expected_logits.npy")),
        logits.astype(np.float32))
    # reduced precision must actually differ from float32 (it really rounded)
    if dtype != "F32":
        assert not np.array_equal(stored["wte.weight"],
                                  w32["wte.weight"].astype(np.float64))
    return d, expected_names, logits, tokens


def self_test():
    # BF16 rounding: ties to even, carries into the exponent
    cases = np.array([1.0, 1.00390625, 1.01171875, -10000.0,
                      np.float32(1.0) + np.float32(2 ** -8) + np.float32(2 ** -20)],
                     dtype=np.float32)
    got = f32_from_bf16_bits(bf16_bits_from_f32(cases))
    want = np.array([1.0, 1.0, 1.015625, -9984.0, 1.0078125], dtype=np.float32)
    np.testing.assert_array_equal(got, want)
    # gelu_new sanity
    assert abs(gelu_new(np.array(1.0)) - 0.8411919906082768) < 1e-12


def main():
    self_test()
    for idx, spec in enumerate(FIXTURES):
        d, names, logits, tokens = build(idx, *spec)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print("%-22s %6d bytes  tensors=%d  tokens=%s  logits[min,max]=[%.3f, %.3f] std=%.3f"
              % (spec[0], size, len(names), tokens, logits.min(), logits.max(),
                 logits.std()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
