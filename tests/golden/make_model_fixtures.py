#!/usr/bin/python3
"""Writes tests/golden/models.txt for tests/models_test.cpp: for each model
case, every state-dict entry's name and shape and the logits of the
torchvision (or PyTorch) model for a fixed input, with every weight and
buffer set by a closed-form fill that the C++ test repeats. Shipping the
formula instead of the weights keeps the file small. Run with Debian's
python3-torch and python3-torchvision (nothing is downloaded):

    /usr/bin/python3 tests/golden/make_model_fixtures.py

Per case:
  case NAME model EMBER_MODEL input N C H W classes K     (images)
  case NAME model EMBER_MODEL tokens N L classes K        (token ids: element i is (7 i) mod K;
                                                           for transformer L is source + target)
  entry NAME NUMEL DIMS...     (every state-dict entry, in state-dict order)
  logits VALUES...             (N * K, or N * L * K for language models, row-major)
  end
Fill, for entry number k (counting every entry) and flat element i, in
float64 then cast: base = sin(0.37 i + 1.3 k); running_var 1 + 0.25 base;
running_mean 0.1 base; 1-D *.weight 1 + 0.1 base; other 1-D 0.05 base;
>= 2-D base * sqrt(3 / fan_in) with fan_in = numel / shape[0]. Integer
entries (num_batches_tracked) stay 0. Input element i: sin(0.11 i).
"""
import math
import os

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock

torch.manual_seed(0)
torch.set_num_threads(2)


def fill(model):
    with torch.no_grad():
        for k, (name, t) in enumerate(model.state_dict().items()):
            if not t.is_floating_point():
                continue
            i = torch.arange(t.numel(), dtype=torch.float64)
            base = torch.sin(0.37 * i + 1.3 * k)
            if name.endswith("running_var"):
                v = 1.0 + 0.25 * base
            elif name.endswith("running_mean"):
                v = 0.1 * base
            elif t.dim() == 1 and name.endswith(".weight"):
                v = 1.0 + 0.1 * base
            elif t.dim() <= 1:
                v = 0.05 * base
            else:
                v = base * math.sqrt(3.0 / (t.numel() / t.shape[0]))
            t.copy_(v.view(t.shape).to(t.dtype))


def resnet20(channels, classes):
    """CIFAR-style ResNet-20 with torchvision's names and 1x1 projection shortcuts."""
    class ResNet20(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU(inplace=True)
            inplanes = 16
            for stage, planes in enumerate((16, 32, 64)):
                blocks = []
                for b in range(3):
                    stride = 2 if stage > 0 and b == 0 else 1
                    down = None
                    if stride != 1 or inplanes != planes:
                        down = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
                    blocks.append(BasicBlock(inplanes, planes, stride, down))
                    inplanes = planes
                setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(64, classes)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            x = self.layer3(self.layer2(self.layer1(x)))
            return self.fc(torch.flatten(self.avgpool(x), 1))
    return ResNet20()


class RecurrentClassifier(nn.Module):
    """Ember's rnn/lstm/gru models: image rows as steps, a linear layer on the last step's output."""
    def __init__(self, kind, features, classes, hidden=128, layers=2):
        super().__init__()
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](features, hidden, layers, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        steps = x.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1)
        return self.fc(self.rnn(steps)[0][:, -1])


class GPT(nn.Module):
    """Ember's gpt: embeddings, pre-norm GELU encoder layers with a causal mask, tied output layer."""
    def __init__(self, vocab, context, d_model=128, heads=4, layers=4, d_ff=512):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, d_model)
        self.pos_emb = nn.Embedding(context, d_model)
        self.drop = nn.Dropout(0.1)
        layer = nn.TransformerEncoderLayer(d_model, heads, d_ff, 0.1, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, vocab, bias=False)
        self.head.weight = self.tok_emb.weight

    def forward(self, ids):
        x = self.drop(self.tok_emb(ids) + self.pos_emb(torch.arange(ids.shape[1])))
        mask = torch.triu(torch.full((ids.shape[1], ids.shape[1]), float("-inf")), diagonal=1)
        return self.head(self.encoder(x, mask))


class Seq2Seq(nn.Module):
    """Ember's transformer: scaled embeddings + sinusoidal positions, nn.Transformer, a generator layer;
    the input is [source | target input] along dim 1."""
    def __init__(self, vocab, length, d_model=64, heads=4, layers=2, d_ff=256):
        super().__init__()
        self.d_model = d_model
        self.src_emb = nn.Embedding(vocab, d_model)
        self.tgt_emb = nn.Embedding(vocab, d_model)
        self.transformer = nn.Transformer(d_model, heads, layers, layers, d_ff, 0.1, batch_first=True)
        self.generator = nn.Linear(d_model, vocab)
        self.dropout = nn.Dropout(0.1)
        pe = torch.zeros(length + 1, d_model, dtype=torch.float64)
        p = torch.arange(length + 1, dtype=torch.float64).unsqueeze(1)
        i = torch.arange(0, d_model, 2, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(p * torch.exp(-math.log(10000.0) * i / d_model))
        pe[:, 1::2] = torch.cos(p * torch.exp(-math.log(10000.0) * i / d_model))
        self.register_buffer("positions", pe.float(), persistent=False)

    def embed(self, emb, ids):
        return self.dropout(emb(ids) * math.sqrt(self.d_model) + self.positions[:ids.shape[1]])

    def forward(self, pair):
        length = pair.shape[1] // 2
        memory = self.transformer.encoder(self.embed(self.src_emb, pair[:, :length]))
        mask = self.transformer.generate_square_subsequent_mask(length)
        return self.generator(self.transformer.decoder(self.embed(self.tgt_emb, pair[:, length:]), memory,
                                                       tgt_mask=mask))


def googlenet(classes):
    return torchvision.models.googlenet(num_classes=classes, aux_logits=False, init_weights=False,
                                        transform_input=False)


def small(model_name):
    """The small-input (28x28, one channel) variants Ember builds for MNIST-sized data."""
    tv = torchvision.models
    if model_name == "resnet18":
        m = tv.resnet18(num_classes=10)
        m.conv1 = nn.Conv2d(1, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    elif model_name == "mobilenet_v2":
        m = tv.mobilenet_v2(num_classes=10)
        m.features[0][0] = nn.Conv2d(1, 32, 3, 1, 1, bias=False)
    elif model_name == "densenet121":
        m = tv.densenet121(num_classes=10)
        m.features.conv0 = nn.Conv2d(1, 64, 3, 1, 1, bias=False)
        m.features.pool0 = nn.Identity()
    elif model_name == "googlenet":
        m = googlenet(10)
        m.conv1.conv = nn.Conv2d(1, 64, 3, 1, 1, bias=False)
        m.maxpool1 = nn.Identity()
    elif model_name == "vgg11_bn":
        m = tv.vgg11_bn(num_classes=10)
        m.features[0] = nn.Conv2d(1, 64, 3, padding=1)
        m.features[-1] = nn.Identity()
    elif model_name == "alexnet":
        m = tv.alexnet(num_classes=10)
        m.features[0] = nn.Conv2d(1, 64, 3, 1, 1)
    return m


def cases():
    tv = torchvision.models
    big = (2, 3, 64, 64)
    mnist = (2, 1, 28, 28)
    yield "alexnet", "alexnet", tv.alexnet(num_classes=10), big
    yield "vgg11_bn", "vgg11_bn", tv.vgg11_bn(num_classes=10), (2, 3, 32, 32)
    yield "googlenet", "googlenet", googlenet(10), big
    yield "resnet18", "resnet18", tv.resnet18(num_classes=10), big
    yield "resnet50", "resnet50", tv.resnet50(num_classes=10), big
    yield "densenet121", "densenet121", tv.densenet121(num_classes=10), big
    yield "mobilenet_v2", "mobilenet_v2", tv.mobilenet_v2(num_classes=10), big
    yield "resnet20", "resnet20", resnet20(1, 10), mnist
    for name in ("resnet18", "mobilenet_v2", "densenet121", "googlenet", "vgg11_bn", "alexnet"):
        yield name + "_small", name, small(name), mnist
    for kind in ("rnn", "lstm", "gru"):
        yield kind, kind, RecurrentClassifier(kind, 28, 10), mnist
    yield "gpt", "gpt", GPT(vocab=11, context=16), ("tokens", 2, 16, 11)
    yield "transformer", "transformer", Seq2Seq(vocab=12, length=10), ("tokens", 2, 20, 12)


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models.txt")
    with open(path, "w") as out:
        for case, ember_name, model, shape in cases():
            model.eval()
            fill(model)
            if shape[0] == "tokens":
                _, n, length, vocab = shape
                x = (7 * torch.arange(n * length) % vocab).view(n, length)
                header = f"tokens {n} {length} classes {vocab}"
            else:
                x = torch.sin(0.11 * torch.arange(math.prod(shape), dtype=torch.float64)).view(shape).float()
            with torch.no_grad():
                logits = model(x)
            if shape[0] != "tokens":
                header = f"input {' '.join(map(str, shape))} classes {logits.shape[1]}"
            out.write(f"case {case} model {ember_name} {header}\n")
            for name, t in model.state_dict().items():
                out.write(f"entry {name} {t.numel()} {' '.join(map(str, t.shape))}".rstrip() + "\n")
            out.write("logits " + " ".join(f"{v:.9g}" for v in logits.flatten().tolist()) + "\nend\n")
            params = sum(p.numel() for p in model.parameters())
            print(f"{case}: {params} parameters, logits {logits.flatten()[:3].tolist()}")


if __name__ == "__main__":
    main()
