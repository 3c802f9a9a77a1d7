#!/usr/bin/env python3
"""Tiny GPT-NeoX (Pythia), Llama, Mistral and Qwen2 checkpoints written by the real Hugging Face
``transformers`` library, with tokenizers trained by the real ``tokenizers`` library and
reference logits computed by real PyTorch.

Nothing is downloaded. Each model is built from a config with random init and then perturbed with
seeded noise. Each tokenizer is trained on the corpus embedded below. So the output is a pure
function of this script and the library versions.

Generated with (record of the last run; update both this and the README if you regenerate):

    torch        2.13.0+cpu
    transformers 5.18.0
    tokenizers   0.23.2
    safetensors  0.8.0
    numpy        2.4.6
    Python       3.11.7

Rerun (from the repository root, in a venv outside the repository):

    python3 -m venv /tmp/hfvenv
    /tmp/hfvenv/bin/pip install torch==2.13.0 transformers==5.18.0 tokenizers==0.23.2 safetensors numpy
    /tmp/hfvenv/bin/python core/src/test/python/make_hf_arch_fixtures.py

Output (each directory deleted and rewritten) under core/src/test/resources/hf-arch/:

    pythia/             GPTNeoXForCausalLM, parallel residual, rotary_pct 0.25, ByteLevel BPE (Pythia-like)
    pythia-sequential/  GPTNeoXForCausalLM, sequential residual, rotary_pct 0.5, same tokenizer
    llama/              LlamaForCausalLM, GQA (4 q heads, 2 kv heads), llama3 rope scaling, saved in
                        3 shards + model.safetensors.index.json, Llama-2-style tokenizer (byte fallback)
    mistral/            MistralForCausalLM, MQA (1 kv head), sliding_window 4, same tokenizer as llama
    qwen2/              Qwen2ForCausalLM, GQA (2 kv heads), qkv biases, tied embeddings, rope_theta 1e6,
                        Qwen2-like ByteLevel BPE (regex split, no BOS added)

Each directory holds what save_pretrained writes for the model and for the tokenizer, plus
reference.json and expected_logits.npy (float32 [n_tokens, vocab_size], .npy format 1.0, '<f4').
See ../resources/hf-arch/README.md.
"""

import json
import math
import os
import shutil
import sys

os.environ["TOKENIZERS_PARALLELISM"] = "false"  # before importing tokenizers: no thread-order effects

import numpy as np
import safetensors
import tokenizers
import torch
import transformers
from safetensors import safe_open
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, \
    processors, trainers
from transformers import (AutoTokenizer, GPTNeoXConfig, GPTNeoXForCausalLM, LlamaConfig, LlamaForCausalLM,
                          MistralConfig, MistralForCausalLM, PreTrainedTokenizerFast, Qwen2Config,
                          Qwen2ForCausalLM)

SEED = 20240607
NOISE = 0.2
N_TOKENS = 14

D_MODEL = 64
N_LAYERS = 2
N_HEADS = 4          # head_dim 16
D_MLP = 96           # not d_model, so transposed MLP weights cannot go unnoticed

PYTHIA_VOCAB = 320   # tokenizer has 310: padded like Pythia's 50304 vs 50277
LLAMA_VOCAB = 352    # exactly the tokenizer size, like Llama 2's 32000
QWEN2_VOCAB = 320    # tokenizer has 310: padded like Qwen2's 151936 vs 151646

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "resources", "hf-arch"))

# Training text for the tokenizers. It has only a few capitals and one non-ASCII letter (é), so
# "naïve", "日本" and "🙂" fall back to bytes (Llama-style) or to byte-level symbols. Digit runs and
# upper-case contractions ("I'LL") let the GPT-2 regex (pythia) and the Qwen2 regex (single digits,
# case-insensitive contractions) learn different merges.
CORPUS = """\
When Mary and John went to the store, John gave a drink to Mary.
When John and Mary went to the park, Mary gave a ball to John.
Then Mary and John had a long day at the store, and John gave a book to Mary.
After the meeting, Mary said that she wanted to go to the store with John.
The cat sat on the mat. The dog sat on the log. The bird sat on the tree.
It is a truth that the best things in life are the things that we share.
She went to the café and had a coffee and a cake; he had a tea at the café.
The café on the corner of the street opens at 7 and closes at 10 in the evening.
I'll go to the store today, but I don't want to go there tomorrow.
We've been here before, and they're going to be there again soon.
The number 12345 is not the same as the number 54321, and 2024 is a year.
In 2024 and 2023 we counted 12345 apples, then 12345 again; 2024 was the best year.
Count 12345, 12345, 12345 and 12345: that is 12345 four times, in 2024 and 2024.
I'LL do it, YOU'LL see, WE'LL win, and I'LL be there; THEY'LL come.
In the beginning there was the word, and the word was with the store.
John and Mary went to the market; then they went to the store; then they went home.
A quick brown fox jumps over the lazy dog near the river bank in the morning.
The store was closed, so Mary gave the drink to John and John gave the book to Mary.
There is a tree in the park, and there is a bench under the tree where we sit and read.
"""

# Texts whose tokenization goes into reference.json.
TEXTS = [
    "When Mary and John went to the store, John gave a drink to",
    " Mary",
    "Hello   world,\n\nnew  line\tand     five spaces; 12345 apples",
    "café naïve 日本 🙂",
    "cafe\u0301 = café?",  # decomposed e + U+0301 first: NFC (pythia, qwen2) composes it, llama keeps it
    "I'LL say: don't, we've, they're",
    "a<s>b</s> <unk> <|endoftext|> <|padding|> <|im_start|>x<|im_end|>",
]

# Qwen2's pre-tokenizer regex, verbatim from its tokenizer.json.
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")


# ---------------------------------------------------------------------------------------- tokenizers

def corpus_lines():
    return [line for line in CORPUS.splitlines() if line]


def set_decoder_flags(tok, **flags):
    """decoders.ByteLevel() takes no flags in Python; write them into the JSON the way the real files
    spell them (they do not change decoding)."""
    j = json.loads(tok.to_str())
    j["decoder"].update(flags)
    return Tokenizer.from_str(json.dumps(j))


def pythia_tokenizer():
    """Like GPT-NeoX-20B's tokenizer.json: NFC, ByteLevel BPE, specials <|endoftext|>=0, <|padding|>=1,
    no BOS added by the post-processor, and non-special added tokens for runs of spaces."""
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=307, min_frequency=2, show_progress=False,
                                  special_tokens=["<|endoftext|>", "<|padding|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus_lines(), trainer=trainer)
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True)
                            for t in ["<|endoftext|>", "<|padding|>"]])
    # Pythia has 23 of these (24 spaces down to 2); three are enough to show leftmost-longest matching.
    tok.add_tokens([AddedToken(" " * n, normalized=True, special=False) for n in (4, 3, 2)])
    tok = set_decoder_flags(tok, add_prefix_space=False, trim_offsets=True, use_regex=True)
    assert tok.get_vocab_size() == 310, tok.get_vocab_size()
    return tok, dict(bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                     pad_token="<|padding|>")


def llama_tokenizer():
    """Like Llama 2's tokenizer.json: BPE with byte_fallback over <0x00>..<0xFF>, normalizer
    Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, decoder Replace + ByteFallback + Fuse + Strip,
    post-processor that adds <s>. Specials <unk>=0, <s>=1, </s>=2, then the 256 byte tokens at 3..258."""
    specials = ["<unk>", "<s>", "</s>"]
    # Train words the way SentencePiece does (pieces start with ▁, never hold one inside).
    train = Tokenizer(models.BPE(unk_token="<unk>"))
    train.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    train.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    n_trained = LLAMA_VOCAB - 256
    trainer = trainers.BpeTrainer(vocab_size=n_trained, min_frequency=2, show_progress=False,
                                  special_tokens=specials)
    train.train_from_iterator(corpus_lines(), trainer=trainer)
    trained = json.loads(train.to_str())["model"]
    pieces = sorted(trained["vocab"].items(), key=lambda kv: kv[1])
    assert [p for p, _ in pieces[:3]] == specials and len(pieces) == n_trained, len(pieces)
    vocab = {p: i for i, p in enumerate(specials)}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = 3 + b
    for p, i in pieces[3:]:
        vocab[p] = i + 256
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in trained["merges"]]

    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True,
                               byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = None
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(content=" ", left=1, right=0)])
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in specials])
    tok.post_processor = processors.TemplateProcessing(single="<s>:0 $A:0", pair="<s>:0 $A:0 <s>:1 $B:1",
                                                       special_tokens=[("<s>", 1)])
    assert tok.get_vocab_size() == LLAMA_VOCAB, tok.get_vocab_size()
    return tok, dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>")


def qwen2_tokenizer():
    """Like Qwen2's tokenizer.json: NFC, Split(regex, isolated) + ByteLevel(use_regex=False), ByteLevel
    post-processor (adds nothing), specials appended after the BPE vocab."""
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, continuing_subword_prefix="",
                               end_of_word_suffix=""))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=307, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  continuing_subword_prefix="", end_of_word_suffix="")
    tok.train_from_iterator(corpus_lines(), trainer=trainer)
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True)
                            for t in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]])
    tok = set_decoder_flags(tok, add_prefix_space=False, trim_offsets=False, use_regex=False)
    assert tok.get_vocab_size() == 310, tok.get_vocab_size()
    return tok, dict(eos_token="<|endoftext|>", pad_token="<|endoftext|>", unk_token=None, bos_token=None)


# ---------------------------------------------------------------------------------------- models

def common(cfg):
    cfg._attn_implementation = "eager"  # HF's reference attention: explicit softmax with the mask
    return cfg


def pythia_config(parallel, rotary_pct):
    return common(GPTNeoXConfig(
        vocab_size=PYTHIA_VOCAB, hidden_size=D_MODEL, num_hidden_layers=N_LAYERS, num_attention_heads=N_HEADS,
        intermediate_size=D_MLP, hidden_act="gelu", rotary_pct=rotary_pct, rotary_emb_base=10000,
        max_position_embeddings=64, layer_norm_eps=1e-5, use_parallel_residual=parallel, attention_bias=True,
        tie_word_embeddings=False, bos_token_id=0, eos_token_id=0, attention_dropout=0.0, hidden_dropout=0.0))


def llama_config():
    return common(LlamaConfig(
        vocab_size=LLAMA_VOCAB, hidden_size=D_MODEL, intermediate_size=D_MLP, num_hidden_layers=N_LAYERS,
        num_attention_heads=N_HEADS, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=256,
        rms_norm_eps=1e-6, rope_theta=10000.0,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                      "original_max_position_embeddings": 32},
        tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, attention_bias=False, mlp_bias=False))


def mistral_config(sliding_window=4):
    return common(MistralConfig(
        vocab_size=LLAMA_VOCAB, hidden_size=D_MODEL, intermediate_size=D_MLP, num_hidden_layers=N_LAYERS,
        num_attention_heads=N_HEADS, num_key_value_heads=1, hidden_act="silu", max_position_embeddings=256,
        rms_norm_eps=1e-6, rope_theta=10000.0, sliding_window=sliding_window, tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=2))


def qwen2_config(eot_id, **over):
    kw = dict(
        vocab_size=QWEN2_VOCAB, hidden_size=D_MODEL, intermediate_size=D_MLP, num_hidden_layers=N_LAYERS,
        num_attention_heads=N_HEADS, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=128,
        rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False, sliding_window=4,
        max_window_layers=1, tie_word_embeddings=True, bos_token_id=eot_id, eos_token_id=eot_id)
    kw.update(over)
    return common(Qwen2Config(**kw))


def is_norm(module):
    return isinstance(module, torch.nn.LayerNorm) or type(module).__name__.endswith("RMSNorm")


@torch.no_grad()
def perturb(model, gen):
    """Noise on every parameter so each one changes the logits: weights and embeddings get std 0.2
    added, norm gains become 1 +- 0.2, all biases (zero at init) become N(0, 0.2)."""
    norm_params = set()
    for _, m in model.named_modules():
        if is_norm(m):
            norm_params.update(id(p) for p in m.parameters(recurse=False))
    seen = set()
    for name, p in model.named_parameters():  # a tied lm_head is listed once
        if id(p) in seen:
            continue
        seen.add(id(p))
        noise = torch.randn(p.shape, generator=gen, dtype=torch.float32) * NOISE
        if id(p) in norm_params and name.endswith(".weight"):
            p.copy_(1.0 + noise)
        else:
            p.add_(noise)


@torch.no_grad()
def lm_logits(model, tokens, **kw):
    model.eval()
    out = model(input_ids=torch.tensor([tokens], dtype=torch.long), **kw)
    return out.logits[0].float().numpy(), out


def logits_with(cls, cfg, model, tokens):
    """Logits of the same weights under another config."""
    other = cls(cfg).float().eval()
    other.load_state_dict(model.state_dict())
    return lm_logits(other, tokens)[0]


def build(cls, cfg, gen):
    torch.manual_seed(SEED)
    model = cls(cfg).float().eval()
    perturb(model, gen)
    return model


# ---------------------------------------------------------------------------------------- writing

def chmod_all(d):
    for f in os.listdir(d):  # safetensors writes 0600; make the fixtures world-readable like the rest
        os.chmod(os.path.join(d, f), 0o644)


def save_tokenizer(d, tok, special_kw):
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, clean_up_tokenization_spaces=False,
                                 model_max_length=1024, **{k: v for k, v in special_kw.items() if v})
    hf.save_pretrained(d)
    saved = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    assert json.loads(saved.to_str()) == json.loads(tok.to_str()), "transformers rewrote tokenizer.json"
    return saved


def text_records(d, raw):
    """Encodings by the raw tokenizers.Tokenizer (what a tokenizer.json means), cross-checked against
    the transformers tokenizer loaded from the directory."""
    hf = AutoTokenizer.from_pretrained(d, local_files_only=True)
    recs = []
    for text in TEXTS:
        ids = raw.encode(text, add_special_tokens=False).ids
        ids_sp = raw.encode(text, add_special_tokens=True).ids
        decoded = raw.decode(ids, skip_special_tokens=False)
        assert hf.encode(text, add_special_tokens=False) == ids, text
        assert hf.encode(text, add_special_tokens=True) == ids_sp, text
        assert hf.decode(ids) == decoded, (text, hf.decode(ids), decoded)
        recs.append({"text": text, "ids": ids, "ids_with_special": ids_sp,
                     "pieces": raw.encode(text, add_special_tokens=False).tokens, "decoded": decoded})
    return recs


def dump_reference(ref):
    """JSON with one line per top-level key and one line per text record (lists stay on one line)."""
    one = lambda v: json.dumps(v, ensure_ascii=False)
    lines = [f"  {one(k)}: {one(v)}" for k, v in ref.items() if k != "texts"]
    texts = ",\n".join("    " + one(r) for r in ref["texts"])
    lines.append(f'  "texts": [\n{texts}\n  ]')
    out = "{\n" + ",\n".join(lines) + "\n}\n"
    assert json.loads(out) == ref
    return out


def write_dir(name, model, tokens, logits, tok, special_kw, extra=None, **save_kw):
    d = os.path.join(OUT, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    model.save_pretrained(d, safe_serialization=True, **save_kw)
    raw = save_tokenizer(d, tok, special_kw)
    assert logits.shape == (len(tokens), model.config.vocab_size) and logits.dtype == np.float32
    assert np.isfinite(logits).all()
    np.save(os.path.join(d, "expected_logits.npy"), np.ascontiguousarray(logits), allow_pickle=False)
    ref = {"tokens": tokens, "torch": torch.__version__, "transformers": transformers.__version__,
           "tokenizers": tokenizers.__version__}
    ref.update(extra or {})
    ref["texts"] = text_records(d, raw)
    with open(os.path.join(d, "reference.json"), "w", encoding="utf-8") as f:
        f.write(dump_reference(ref))
    chmod_all(d)
    return d


def tensors(d):
    files = sorted(f for f in os.listdir(d) if f.endswith(".safetensors"))
    out = []
    for fn in files:
        with safe_open(os.path.join(d, fn), framework="pt") as f:
            for k in f.keys():
                t = f.get_tensor(k)
                out.append((fn, k, list(t.shape), str(t.dtype)))
    return out


def check(name, d, cls, logits, tokens):
    """Reload the directory with HF itself (local path only) and require the same logits, bit for bit."""
    reloaded = cls.from_pretrained(d, local_files_only=True, attn_implementation="eager").float()
    again, _ = lm_logits(reloaded, tokens)
    assert np.array_equal(again, logits), float(np.abs(again - logits).max())
    size = {f: os.path.getsize(os.path.join(d, f)) for f in sorted(os.listdir(d))}
    print(f"\n=== {name}: {sum(size.values())} bytes, reload identical, max|logits|={np.abs(logits).max():.3f} "
          f"std={logits.std():.3f}")
    for f, s in size.items():
        print(f"  {s:8d}  {f}")
    print("  config.json:", open(os.path.join(d, "config.json")).read())
    for fn, k, shape, dt in tensors(d):
        print(f"  {fn}  {k}  {shape}  {dt}")


def random_tokens(gen, bos, vocab):
    rest = torch.randint(0, vocab, (N_TOKENS - 1,), generator=gen).tolist()
    return ([bos] if bos is not None else []) + rest


def main():
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, tokenizers "
          f"{tokenizers.__version__}, safetensors {safetensors.__version__}, numpy {np.__version__}, "
          f"python {sys.version.split()[0]}")
    gen = torch.Generator().manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)

    # --- pythia (parallel) and pythia-sequential
    ptok, pkw = pythia_tokenizer()
    for name, parallel, pct in [("pythia", True, 0.25), ("pythia-sequential", False, 0.5)]:
        model = build(GPTNeoXForCausalLM, pythia_config(parallel, pct), gen)
        tokens = random_tokens(gen, 0, PYTHIA_VOCAB)
        logits, _ = lm_logits(model, tokens)
        d = write_dir(name, model, tokens, logits, ptok, pkw)
        check(name, d, GPTNeoXForCausalLM, logits, tokens)

    # --- llama
    ltok, lkw = llama_tokenizer()
    model = build(LlamaForCausalLM, llama_config(), gen)
    head_dim = D_MODEL // N_HEADS
    unscaled = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    scaled = model.model.rotary_emb.inv_freq.detach().clone()
    wavelen = 2 * math.pi / unscaled
    bands = ["high (kept)" if w < 32 / 4 else "low (/8)" if w > 32 / 1 else "medium (smoothed)"
             for w in wavelen.tolist()]
    assert {"high (kept)", "medium (smoothed)", "low (/8)"} == set(bands), bands
    print("\nllama rope: unscaled inv_freq", unscaled.tolist())
    print("llama rope: scaled   inv_freq", scaled.tolist())
    print("llama rope: wavelengths", [round(w, 3) for w in wavelen.tolist()], bands)
    tokens = random_tokens(gen, 1, LLAMA_VOCAB)
    logits, _ = lm_logits(model, tokens)
    d = write_dir("llama", model, tokens, logits, ltok, lkw, max_shard_size="160KB",
                  extra={"inv_freq": scaled.tolist(), "inv_freq_unscaled": unscaled.tolist(),
                         "rope_wavelengths_unscaled": wavelen.tolist(), "rope_bands": bands})
    check("llama", d, LlamaForCausalLM, logits, tokens)
    assert os.path.exists(os.path.join(d, "model.safetensors.index.json"))
    assert not os.path.exists(os.path.join(d, "model.safetensors"))

    # --- mistral
    model = build(MistralForCausalLM, mistral_config(4), gen)
    tokens = random_tokens(gen, 1, LLAMA_VOCAB)
    logits, out = lm_logits(model, tokens, output_attentions=True)
    pattern = out.attentions[0][0, 0]  # layer 0, head 0: [query, key]
    visible = (pattern > 0).int()
    for q in range(len(tokens)):
        want = [1 if q - 4 < k <= q else 0 for k in range(len(tokens))]
        assert visible[q].tolist() == want, (q, visible[q].tolist())
    full_logits = logits_with(MistralForCausalLM, mistral_config(None), model, tokens)
    window_diff = float(np.abs(full_logits - logits).max())
    first_diff_row = int(np.argmax(np.abs(full_logits - logits).max(axis=1) > 0))
    assert np.array_equal(full_logits[:4], logits[:4]) and window_diff > 1e-2, window_diff
    print(f"\nmistral: sliding_window 4 vs None: max |diff| {window_diff:.6f}; rows 0-3 identical, "
          f"first differing row {first_diff_row}")
    d = write_dir("mistral", model, tokens, logits, ltok, lkw,
                  extra={"sliding_window_none_max_abs_diff": window_diff})
    check("mistral", d, MistralForCausalLM, logits, tokens)

    # --- qwen2
    qtok, qkw = qwen2_tokenizer()
    eot = qtok.token_to_id("<|endoftext|>")
    model = build(Qwen2ForCausalLM, qwen2_config(eot), gen)
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr(), "not tied"
    tokens = random_tokens(gen, eot, QWEN2_VOCAB)
    logits, _ = lm_logits(model, tokens)
    # transformers 5 nulls sliding_window when use_sliding_window is false. A hub-style config.json
    # (sliding_window a number, use_sliding_window false, no layer_types) must give the same logits;
    # a window wrongly applied to the layers >= max_window_layers (here layer 1) changes them.
    assert model.config.sliding_window is None and model.config.layer_types == ["full_attention"] * 2
    hub = json.loads(model.config.to_json_string())
    hub.pop("layer_types")
    hub["sliding_window"] = 4
    hub_cfg = common(Qwen2Config(**{k: v for k, v in hub.items() if k not in ("transformers_version",)}))
    hub_logits = logits_with(Qwen2ForCausalLM, hub_cfg, model, tokens)
    assert np.array_equal(hub_logits, logits)
    wrong = logits_with(Qwen2ForCausalLM, qwen2_config(eot, use_sliding_window=True), model, tokens)
    wrong_diff = float(np.abs(wrong - logits).max())
    assert wrong_diff > 1e-2, wrong_diff
    print(f"\nqwen2: hub-style config (sliding_window 4, use_sliding_window false, no layer_types) gives "
          f"identical logits; window 4 on layer 1 (use_sliding_window true) would move them by {wrong_diff:.6f}")
    d = write_dir("qwen2", model, tokens, logits, qtok, qkw,
                  extra={"use_sliding_window_true_max_abs_diff": wrong_diff})
    check("qwen2", d, Qwen2ForCausalLM, logits, tokens)

    for name, tok in [("pythia", ptok), ("llama", ltok), ("qwen2", qtok)]:
        added = {t.content: i for i, t in sorted(tok.get_added_tokens_decoder().items())}
        print(f"\n{name} tokenizer: size {tok.get_vocab_size()}, added tokens {added}")


if __name__ == "__main__":
    main()
