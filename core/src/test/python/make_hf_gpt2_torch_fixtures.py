#!/usr/bin/env python3
"""Tiny GPT-2 checkpoints written by the real Hugging Face ``transformers`` library,
with reference logits computed by real PyTorch.

Unlike ``make_hf_gpt2_fixtures.py`` (numpy only, safetensors written by hand), every
file here comes from ``model.save_pretrained(dir, safe_serialization=True)`` and every
expected logit from ``model.eval()`` forward under ``torch.no_grad()`` in float32.
No weights are downloaded: models are built from a ``GPT2Config`` with random init and
then perturbed with seeded noise, so the output is a pure function of this script.

Generated with (record of the last run; update both if you regenerate):

    torch        2.13.0+cpu
    transformers 5.18.0
    safetensors  0.8.0
    numpy        2.4.6
    Python       3.11.7

Rerun (from the repository root, in a venv outside the repository):

    python3 -m venv /tmp/torch-venv
    /tmp/torch-venv/bin/pip install torch==2.13.0 transformers==5.18.0 safetensors numpy
    /tmp/torch-venv/bin/python core/src/test/python/make_hf_gpt2_torch_fixtures.py

Output (each directory deleted and rewritten) under
core/src/test/resources/hf-gpt2-torch/:

    lmhead-tied/       GPT2LMHeadModel, tied embeddings (HF writes transformer.* keys
                       and drops lm_head.weight)
    lmhead-untied/     GPT2LMHeadModel, tie_word_embeddings=False, distinct lm_head
    base-model/        the GPT2Model (model.transformer) of lmhead-tied saved on its
                       own: unprefixed keys, no head; logits = hidden @ wte^T
    lmhead-tied-f16/   lmhead-tied after .half(), saved as F16; reference logits from
                       the float32 copy of the F16-rounded weights, run in float32

Each directory also holds reference.json {"tokens", "torch", "transformers"} and
expected_logits.npy (float32, shape [12, 101], .npy format 1.0, '<f4').
Other tensor/file names are whatever the installed transformers writes.
"""

import copy
import json
import os
import shutil
import sys

import numpy as np
import safetensors
import torch
import transformers
from safetensors import safe_open
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model

SEED = 1234
NOISE = 0.2
N_TOKENS = 12
VOCAB = 101
BOS = 100

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "resources", "hf-gpt2-torch"))


def config(tied):
    cfg = GPT2Config(n_layer=2, n_embd=32, n_head=4, n_positions=16, vocab_size=VOCAB,
                     n_inner=None, activation_function="gelu_new",
                     bos_token_id=BOS, eos_token_id=BOS,
                     resid_pdrop=0, embd_pdrop=0, attn_pdrop=0,
                     tie_word_embeddings=tied)
    # The eager path is HF's reference attention (explicit softmax(QK^T/sqrt(d)) with the causal mask).
    cfg._attn_implementation = "eager"
    return cfg


@torch.no_grad()
def perturb(model, gen):
    """Noise on every parameter so each one changes the logits (biases nonzero, LN gains 1 +- 0.2)."""
    seen = set()
    for name, p in model.named_parameters():  # a tied lm_head is the same tensor as wte: listed once
        if id(p) in seen:
            continue
        seen.add(id(p))
        noise = torch.randn(p.shape, generator=gen, dtype=torch.float32) * NOISE
        if ".ln_" in name or name.startswith("ln_") or "ln_f" in name:
            if name.endswith(".weight"):
                p.copy_(1.0 + noise)
            else:
                p.copy_(noise)
        else:
            p.add_(noise)


@torch.no_grad()
def lm_logits(model, tokens):
    model.eval()
    ids = torch.tensor([tokens], dtype=torch.long)
    if isinstance(model, GPT2Model):
        hidden = model(input_ids=ids).last_hidden_state[0]
        return (hidden @ model.wte.weight.T).float().numpy()
    return model(input_ids=ids).logits[0].float().numpy()


def save(name, model, tokens, logits):
    d = os.path.join(OUT, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    model.save_pretrained(d, safe_serialization=True)
    for f in os.listdir(d):  # safetensors writes 0600; make the fixtures world-readable like the rest
        os.chmod(os.path.join(d, f), 0o644)
    assert logits.shape == (N_TOKENS, VOCAB) and logits.dtype == np.float32, logits.shape
    assert np.isfinite(logits).all()
    np.save(os.path.join(d, "expected_logits.npy"), np.ascontiguousarray(logits), allow_pickle=False)
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump({"tokens": tokens, "torch": torch.__version__,
                   "transformers": transformers.__version__}, f, indent=2)
        f.write("\n")
    return d


def check(name, d, cls, logits, atol):
    """Reload the directory with HF itself (local path only) and report what it holds."""
    with safe_open(os.path.join(d, "model.safetensors"), framework="pt") as f:
        keys = list(f.keys())
        dtypes = sorted({str(f.get_tensor(k).dtype) for k in keys})
    size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d))
    reloaded = cls.from_pretrained(d, local_files_only=True, attn_implementation="eager")
    again = lm_logits(reloaded.float(), json.load(open(os.path.join(d, "reference.json")))["tokens"])
    reload_diff = float(np.abs(again - logits).max())
    print(f"{name}: files={sorted(os.listdir(d))} bytes={size} dtypes={dtypes} "
          f"max|logits|={np.abs(logits).max():.4f} std={logits.std():.4f} reload_diff={reload_diff:.2e}")
    print(f"  {len(keys)} keys: {keys}")
    assert size < 200_000, size
    assert reload_diff <= atol, reload_diff


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    tokens = [BOS] + torch.randint(0, VOCAB, (N_TOKENS - 1,), generator=gen).tolist()

    tied = GPT2LMHeadModel(config(True))
    perturb(tied, gen)
    assert tied.lm_head.weight.data_ptr() == tied.transformer.wte.weight.data_ptr(), "not tied"

    untied = GPT2LMHeadModel(config(False))
    perturb(untied, gen)
    assert untied.lm_head.weight.data_ptr() != untied.transformer.wte.weight.data_ptr(), "tied"
    assert not torch.equal(untied.lm_head.weight, untied.transformer.wte.weight)

    half = copy.deepcopy(tied).half()
    rounded = copy.deepcopy(half).float()  # the F16-rounded weights, computed in float32

    tied_logits = lm_logits(tied, tokens)
    base_logits = lm_logits(tied.transformer, tokens)
    assert np.abs(base_logits - tied_logits).max() <= 1e-5

    runs = [
        ("lmhead-tied", tied, GPT2LMHeadModel, tied_logits, 0),
        ("lmhead-untied", untied, GPT2LMHeadModel, lm_logits(untied, tokens), 0),
        ("base-model", tied.transformer, GPT2Model, base_logits, 0),
        ("lmhead-tied-f16", half, GPT2LMHeadModel, lm_logits(rounded, tokens), 0),
    ]
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
          f"safetensors {safetensors.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"tokens {tokens}")
    for name, model, cls, logits, atol in runs:
        d = save(name, model, tokens, logits)
        check(name, d, cls, logits, atol + 1e-6)
    f16_vs_f32 = float(np.abs(runs[3][3] - tied_logits).max())
    print(f"f16 rounding moves the logits by up to {f16_vs_f32:.4f} (so the f16 reference is not the f32 one)")


if __name__ == "__main__":
    main()
