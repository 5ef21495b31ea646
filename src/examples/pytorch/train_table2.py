#!/usr/bin/env python3
"""Paper 001's Table 2 network trained on Fashion-MNIST, as a trial program of NasHpo's command workload.

It trains exactly what the engine's built-in `fashion-mnist` workload (src/NasHpo.Training) trains:
- data: the IDX files of Fashion-MNIST (Debian's dataset-fashion-mnist by default), split into training and
  validation by the same seeded permutation as the engine (xoshiro256** and SplitMix64, ported below), so the same
  --split-seed gives the same images; pixels scaled to [0, 1] and standardised with mean 0.2860 and deviation
  0.3530; downsampled to --image-size by area averaging. A pre-split .npz file or a folder of .npy arrays works too.
- network: 1-3 blocks of convolution ("same" padding; no bias when batch norm follows), batch norm (eps 1e-5,
  momentum 0.1), ReLU, 2x2 max-pooling; global average pooling or flattening; 1-3 fully connected layers with ReLU;
  a linear output layer. Convolutions and linear layers start uniform on +-1/sqrt(fan_in) from a generator seeded
  by the trial's seed (PyTorch's default distribution).
- training: Adam (PyTorch defaults) at the configuration's learning rate, cross-entropy, mini-batches in an order
  that is a function of the seed and the epoch only (so a resumed run sees the batches an uninterrupted one would);
  a budget counts epochs (a fraction trains that share of the last epoch's batches); a NaN or infinite loss fails.
- objectives: val-error (1 - accuracy on the validation images, evaluation mode), params (trainable values of the
  built network); metrics test-error, flops (multiply-accumulates of one image), train-loss and more.

The command protocol (README, "Your own training code"): the configuration comes from the JSON file named by
NASHPO_REQUEST (or from options such as --learning-rate 0.001, which win); after every epoch it prints
`NASHPO_REPORT {"epoch": ..., "val-error": ..., "train-loss": ...}`; the last report holds every objective. It
resumes from its own NASHPO_CHECKPOINT_DIR when that holds a checkpoint, else continues from
NASHPO_PARENT_CHECKPOINT_DIR (a promoted trial), else trains from scratch; it writes its checkpoint atomically after
every epoch, and on SIGTERM saves where it is and exits. `--count-params` prints the cheap objectives without
training (for problem.cheap-command).

Runs on Debian's python3-torch (1.13) and on PyTorch 2.x, on the CPU or CUDA.
"""
import argparse
import gzip
import json
import math
import os
import signal
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

REPORT_MARKER = "NASHPO_REPORT "
DEBIAN_DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = 10
ORIGINAL_SIZE = 28
PIXEL_MEAN = np.float32(0.2860)
PIXEL_STD = np.float32(0.3530)
CHECKPOINT_FILE = "checkpoint.pt"
# Exit status after a SIGTERM: the shell's convention for "ended by signal 15".
TERMINATED = 128 + signal.SIGTERM

# ---------------------------------------------------------------------------------------------------------------
# The engine's deterministic randomness (src/NasHpo.Core/Randomness), so the split and the batch order match it.
# ---------------------------------------------------------------------------------------------------------------
MASK64 = (1 << 64) - 1


def mix(z):
    """SplitMix64's finaliser (StableHash.Mix)."""
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def hash_text(text):
    """FNV-1a 64 over UTF-16 code units, then mix (StableHash.Of)."""
    value = 14695981039346656037
    for unit in text.encode("utf-16-le"):
        value = ((value ^ unit) * 1099511628211) & MASK64
    return mix(value)


def combine(a, b, *more):
    """StableHash.Combine: order matters."""
    value = mix(a ^ ((b + 0x9E3779B97F4A7C15 + ((a << 6) & MASK64) + (a >> 2)) & MASK64))
    for c in more:
        value = combine(value, c)
    return value


class DeterministicRandom:
    """xoshiro256** seeded by SplitMix64 outputs, with Lemire's bounded integers (DeterministicRandom.cs)."""

    def __init__(self, seed):
        seed &= MASK64
        self.s = [mix((seed + i) & MASK64) for i in range(4)]
        if not any(self.s):
            self.s[0] = 1

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        result = ((((s1 * 5) & MASK64) << 7 | ((s1 * 5) & MASK64) >> 57) & MASK64) * 9 & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & MASK64
        self.s = [s0, s1, s2, s3]
        return result

    def bounded(self, bound):
        threshold = ((1 << 64) - bound) % bound
        while True:
            product = self.next_u64() * bound
            if product & MASK64 >= threshold:
                return product >> 64

    def shuffle(self, values):
        """.NET's Random.Shuffle: Fisher-Yates from the front, j = Next(i, n)."""
        n = len(values)
        for i in range(n - 1):
            j = i + self.bounded(n - i)
            if j != i:
                values[i], values[j] = values[j], values[i]
        return values


def split_order(count, split_seed):
    """The permutation FashionMnist.Load splits by: the first round(count * fraction) are validation."""
    order = list(range(count))
    return DeterministicRandom(combine(split_seed & MASK64, hash_text("fashion-mnist-split"))).shuffle(order)


def epoch_order(seed, epoch, count):
    """The training images' order in one (1-based) epoch: ConvNetTraining.EpochOrder (src/NasHpo.Training/ConvNetTraining.cs)."""
    order = list(range(count))
    return DeterministicRandom(combine(seed & MASK64, hash_text("epoch-order"), epoch)).shuffle(order)


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------
def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"'{path}' is not an IDX file of unsigned bytes")
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def locate(directory, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"the Fashion-MNIST directory '{directory}' has neither '{name}.gz' nor '{name}'; on Debian "
                            "install the data with 'apt-get install dataset-fashion-mnist', or pass --data")


def load_raw(data, validation_fraction, split_seed):
    """(x_train, y_train, x_val, y_val, x_test, y_test) as uint8 images and int labels, before any subset."""
    if os.path.isfile(data) and data.endswith(".npz"):
        with np.load(data) as arrays:
            return tuple(arrays[f"{kind}_{part}"] for part in ("train", "val", "test") for kind in ("x", "y"))
    if os.path.isdir(data) and os.path.exists(os.path.join(data, "x_train.npy")):
        # Already split, one array per part, as paper 001's reference repository ships its data.
        return tuple(np.load(os.path.join(data, f"{kind}_{part}.npy")) for part in ("train", "val", "test") for kind in ("x", "y"))
    if not os.path.isdir(data):
        raise FileNotFoundError(f"'{data}' is neither a folder of IDX or .npy files nor an .npz file")
    images = read_idx(locate(data, "train-images-idx3-ubyte"))
    labels = read_idx(locate(data, "train-labels-idx1-ubyte"))
    test_images = read_idx(locate(data, "t10k-images-idx3-ubyte"))
    test_labels = read_idx(locate(data, "t10k-labels-idx1-ubyte"))
    validation_count = int(np.round(len(images) * validation_fraction))
    order = np.array(split_order(len(images), split_seed), dtype=np.int64)
    validation, training = order[:validation_count], order[validation_count:]
    return images[training], labels[training], images[validation], labels[validation], test_images, test_labels


def to_tensors(images, labels, image_size):
    """Standardised float images [N, 1, S, S] and int64 labels, on the CPU (FashionMnist.Select)."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(f"images of shape {images.shape}: grey images N x H x W expected")
    floats = (images.astype(np.float32) / np.float32(255) - PIXEL_MEAN) / PIXEL_STD
    tensor = torch.from_numpy(np.ascontiguousarray(floats)).unsqueeze(1)
    if image_size != tensor.shape[-1]:
        # Area averaging, as the engine downsamples.
        tensor = nn.functional.adaptive_avg_pool2d(tensor, [image_size, image_size])
    return tensor.contiguous(), torch.from_numpy(np.asarray(labels).astype(np.int64))


def load_data(data, image_size=28, train_subset=None, validation_subset=None, test_subset=None,
              validation_fraction=0.2, split_seed=0):
    """{'train': (x, y), 'val': (x, y), 'test': (x, y)}: the seeded split's first images of each part."""
    x_train, y_train, x_val, y_val, x_test, y_test = load_raw(data, validation_fraction, split_seed)
    limit = lambda n, subset: n if subset is None else min(n, subset)
    return {
        "train": to_tensors(x_train[:limit(len(x_train), train_subset)], y_train[:limit(len(y_train), train_subset)], image_size),
        "val": to_tensors(x_val[:limit(len(x_val), validation_subset)], y_val[:limit(len(y_val), validation_subset)], image_size),
        "test": to_tensors(x_test[:limit(len(x_test), test_subset)], y_test[:limit(len(y_test), test_subset)], image_size),
    }


# ---------------------------------------------------------------------------------------------------------------
# The network of a configuration
# ---------------------------------------------------------------------------------------------------------------
class InvalidArchitecture(ValueError):
    pass


def spec_of(configuration):
    """The Table 2 configuration (parameter names of hocon/spaces/joint-nas-hpo-table2.conf) as plain values."""
    def flag(value):
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "1.0")

    c = configuration
    conv = [(int(c[f"filters_{i}"]), int(c[f"kernel_{i}"]), flag(c[f"batch_norm_{i}"])) for i in range(1, int(c["conv_layers"]) + 1)]
    units = [int(c[f"units_{i}"]) for i in range(1, int(c["fc_layers"]) + 1)]
    spec = {"conv": conv, "gap": flag(c["global_avg_pooling"]), "units": units,
            "learning_rate": float(c["learning_rate"]), "batch_size": int(c["batch_size"])}
    for i, (filters, kernel, _) in enumerate(conv, 1):
        if filters < 1 or kernel < 1 or kernel % 2 == 0:
            raise InvalidArchitecture(f"conv layer {i} needs at least one filter and an odd kernel size, not {filters} filters of size {kernel}")
    if not conv or not units or any(u < 1 for u in units):
        raise InvalidArchitecture(f"conv_layers and fc_layers must be at least 1 and every fc layer needs a unit, not {c}")
    if not (spec["learning_rate"] > 0 and math.isfinite(spec["learning_rate"])) or spec["batch_size"] < 1:
        raise InvalidArchitecture(f"learning rate {spec['learning_rate']} and batch size {spec['batch_size']} must be positive")
    return spec


def build_network(spec, image_size, channels=1, classes=CLASSES):
    layers = OrderedDict()
    side, in_channels = image_size, channels
    for i, (filters, kernel, batch_norm) in enumerate(spec["conv"], 1):
        if side // 2 < 1:
            raise InvalidArchitecture(f"the max-pooling after conv layer {i} would shrink its {side}x{side} feature map to nothing")
        # A bias before batch norm is cancelled by its mean subtraction: left out, as the engine does.
        layers[f"conv{i}"] = nn.Conv2d(in_channels, filters, kernel, padding=kernel // 2, bias=not batch_norm)
        if batch_norm:
            layers[f"bn{i}"] = nn.BatchNorm2d(filters)
        layers[f"relu{i}"] = nn.ReLU()
        layers[f"pool{i}"] = nn.MaxPool2d(2)
        in_channels, side = filters, side // 2
    if spec["gap"]:
        layers["gap"] = nn.AdaptiveAvgPool2d(1)
        features = in_channels
    else:
        features = in_channels * side * side
    layers["flatten"] = nn.Flatten()
    for i, units in enumerate(spec["units"], 1):
        layers[f"fc{i}"] = nn.Linear(features, units)
        layers[f"fc_relu{i}"] = nn.ReLU()
        features = units
    layers["output"] = nn.Linear(features, classes)
    return nn.Sequential(layers)


def seeded_initialization(module, seed):
    """SeededInitialization.cs: every conv and linear layer, in module order, uniform on +-1/sqrt(fan_in)."""
    generator = torch.Generator().manual_seed(seed & MASK64)
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                bound = 1.0 / math.sqrt(layer.weight[0].numel())
                for parameter in (layer.weight, layer.bias):
                    if parameter is not None:
                        values = torch.empty(parameter.shape, dtype=parameter.dtype).uniform_(-bound, bound, generator=generator)
                        parameter.copy_(values)


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


def multiply_accumulates(module, image_size, channels=1):
    """Convolutions: weight elements x output positions; linear layers: weight elements (ConvNetBuilder.Measure)."""
    macs = 0
    was_training = module.training
    module.eval()
    with torch.no_grad():
        x = torch.zeros(1, channels, image_size, image_size)
        for layer in module.children():
            x = layer(x)
            if isinstance(layer, nn.Conv2d):
                macs += layer.weight.numel() * x.shape[2] * x.shape[3]
            elif isinstance(layer, nn.Linear):
                macs += layer.weight.numel()
    module.train(was_training)
    return macs


def latency_ms(module, image_size, device, batch=1, repeats=11):
    """Median milliseconds to classify one batch with the untrained network."""
    module.eval()
    x = torch.zeros(batch, 1, image_size, image_size, device=device)
    times = []
    with torch.no_grad():
        for _ in range(repeats + 2):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            module(x)
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append((time.perf_counter() - start) * 1000)
    module.train()
    return float(np.median(times[2:]))


# ---------------------------------------------------------------------------------------------------------------
# Training with checkpoints
# ---------------------------------------------------------------------------------------------------------------
class Diverged(RuntimeError):
    pass


class Terminated(Exception):
    pass


def accuracy(module, images, labels, device, batch=1000):
    module.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), batch):
            x = images[start:start + batch].to(device)
            y = labels[start:start + batch].to(device)
            correct += int((module(x).argmax(1) == y).sum())
    module.train()
    return correct / len(labels)


def save_checkpoint(directory, state):
    """Written to a temporary file, flushed, then renamed over the old one: a kill at any moment leaves a whole file."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, CHECKPOINT_FILE)
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def load_checkpoint(directory):
    if not directory:
        return None
    path = os.path.join(directory, CHECKPOINT_FILE)
    if not os.path.exists(path):
        return None
    try:
        # Our own file: PyTorch 2.6+ would otherwise refuse the plain Python values beside the tensors.
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:
        return torch.load(path, map_location="cpu")


class Trainer:
    """One trial: a network, its optimizer and its position, counted in batches as the engine counts it."""

    def __init__(self, spec, data, seed, device, image_size):
        self.spec, self.data, self.device, self.image_size = spec, data, device, image_size
        self.seed = seed & MASK64
        self.train_x, self.train_y = data["train"]
        self.count = len(self.train_y)
        self.batch_size = min(spec["batch_size"], self.count)
        self.batches_per_epoch = (self.count + self.batch_size - 1) // self.batch_size
        self.network = build_network(spec, image_size)
        self.parameters = count_parameters(self.network)
        self.flops = multiply_accumulates(self.network, image_size)
        seeded_initialization(self.network, self.seed)
        self.network.to(device)
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=spec["learning_rate"])
        self.loss_function = nn.CrossEntropyLoss()
        self.done = 0                 # batches trained, over all runs of this trial and its ancestors
        self.partial = (0.0, 0)       # loss sum and batches of an epoch cut short by SIGTERM
        self.last_loss = float("nan")
        self.curve = []               # one report per finished epoch, inherited ones included
        self.start_batches = 0
        self.terminate = False
        # Training images live on the device once, so a GPU does not wait for a copy per batch.
        self.train_x_device = self.train_x.to(device)
        self.train_y_device = self.train_y.to(device)

    def state(self):
        return {"format": 1, "spec": self.spec, "seed": self.seed, "batches_done": self.done,
                "batch_size": self.batch_size, "training_images": self.count,
                "batches_per_epoch": self.batches_per_epoch, "last_loss": self.last_loss,
                "partial": list(self.partial), "curve": self.curve,
                "model": self.network.state_dict(), "optimizer": self.optimizer.state_dict()}

    def restore(self, state, source):
        if state.get("spec") != self.spec:
            raise ValueError(f"the checkpoint in '{source}' belongs to another configuration ({state.get('spec')})")
        if (state["batch_size"], state["training_images"], state["batches_per_epoch"]) != (self.batch_size, self.count, self.batches_per_epoch):
            raise ValueError(f"the checkpoint in '{source}' was written with other data ({state['training_images']} training images "
                             f"in batches of {state['batch_size']}) than this run's ({self.count} in batches of {self.batch_size})")
        # The data order continues the checkpoint's own seed, whatever seed this run was given.
        self.seed = state["seed"]
        self.network.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.done = state["batches_done"]
        self.partial = tuple(state.get("partial", (0.0, 0)))
        self.last_loss = state["last_loss"]
        self.curve = list(state.get("curve", []))
        self.start_batches = self.done

    def epochs_done(self):
        return self.done / self.batches_per_epoch

    def train(self, budget, checkpoint_dir, on_epoch, print_reports=True):
        total = max(1, int(round(budget * self.batches_per_epoch)))
        if self.done > total:
            raise ValueError(f"the checkpoint has trained {self.epochs_done():g} epochs, more than this trial's budget of {budget:g}")
        self.network.train()
        while self.done < total:
            epoch = self.done // self.batches_per_epoch + 1
            first = self.done % self.batches_per_epoch
            batches = min(self.batches_per_epoch - first, total - self.done)
            order = torch.tensor(epoch_order(self.seed, epoch, self.count), dtype=torch.int64, device=self.device)
            loss_sum, trained = self.partial if first > 0 else (0.0, 0)
            for b in range(first, first + batches):
                if self.terminate:
                    self.partial = (loss_sum, trained)
                    if checkpoint_dir:
                        save_checkpoint(checkpoint_dir, self.state())
                    raise Terminated()
                index = order[b * self.batch_size:(b + 1) * self.batch_size]
                images = self.train_x_device.index_select(0, index)
                labels = self.train_y_device.index_select(0, index)
                loss = self.loss_function(self.network(images), labels)
                value = float(loss.item())
                if not math.isfinite(value):
                    raise Diverged(f"training diverged: the loss became {value} in epoch {epoch}, batch {b + 1} of "
                                   f"{self.batches_per_epoch} (learning rate {self.spec['learning_rate']!r}, batch size {self.batch_size})")
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                loss_sum += value
                trained += 1
                self.done += 1
            self.partial = (0.0, 0)
            self.last_loss = loss_sum / trained
            report = on_epoch(self)
            self.curve.append(report)
            if checkpoint_dir:
                save_checkpoint(checkpoint_dir, self.state())
            # The last epoch's report is the final one, which the caller prints with every objective.
            if self.done < total and print_reports:
                print(REPORT_MARKER + json.dumps(report), flush=True)

    def errors(self):
        val_x, val_y = self.data["val"]
        test_x, test_y = self.data["test"]
        return (1.0 - accuracy(self.network, val_x, val_y, self.device),
                1.0 - accuracy(self.network, test_x, test_y, self.device))


# ---------------------------------------------------------------------------------------------------------------
# The command: request, devices, reports
# ---------------------------------------------------------------------------------------------------------------
PARAMETERS = ["conv_layers", "filters_1", "filters_2", "filters_3", "kernel_1", "kernel_2", "kernel_3",
              "batch_norm_1", "batch_norm_2", "batch_norm_3", "global_avg_pooling", "fc_layers",
              "units_1", "units_2", "units_3", "learning_rate", "batch_size"]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in PARAMETERS:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, help="overrides the request's value")
    parser.add_argument("--budget", "--epochs", dest="budget", type=float, help="epochs (default: the request's budget)")
    parser.add_argument("--seed", type=int, help="initial weights and batch order (default: the request's seed)")
    parser.add_argument("--device", help="cpu, cuda, cuda:N (default: from NASHPO_DEVICE and CUDA_VISIBLE_DEVICES)")
    parser.add_argument("--data", default=os.environ.get("FASHION_MNIST", DEBIAN_DATA),
                        help="folder of the IDX files (.gz or plain), a folder of {x,y}_{train,val,test}.npy, or an .npz of those arrays")
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--train-subset", type=int)
    parser.add_argument("--validation-subset", type=int)
    parser.add_argument("--test-subset", type=int)
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    parser.add_argument("--split-seed", type=int, default=0,
                        help="seeds the training/validation split of IDX data; the built-in workload uses the study's seed")
    parser.add_argument("--checkpoint-dir", help="default: NASHPO_CHECKPOINT_DIR")
    parser.add_argument("--parent-checkpoint-dir", help="default: NASHPO_PARENT_CHECKPOINT_DIR")
    parser.add_argument("--count-params", action="store_true", help="print the cheap objectives (params, flops) and exit")
    parser.add_argument("--latency", action="store_true", help="also measure latency-ms (it is measured anyway when the study's objectives name it)")
    return parser.parse_args(argv)


def read_request():
    path = os.environ.get("NASHPO_REQUEST")
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def configuration_of(args, request):
    configuration = dict(request.get("configuration") or {})
    for name in PARAMETERS:
        value = getattr(args, name)
        if value is not None:
            configuration[name] = value
    return configuration


def choose_device(requested):
    """cuda:N under CUDA_VISIBLE_DEVICES=N is cuda:0 inside this process; no usable CUDA falls back to the CPU."""
    name = (requested or os.environ.get("NASHPO_DEVICE") or "").strip().lower().replace("-", ":")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            print(f"device '{name}' asked for CUDA, but PyTorch sees no CUDA device; training on the CPU", file=sys.stderr)
            return torch.device("cpu")
        index = int(name.split(":")[1]) if ":" in name else 0
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        if visible is not None and visible.strip() != "":
            listed = [v.strip() for v in visible.split(",")]
            index = listed.index(str(index)) if str(index) in listed else 0
        return torch.device("cuda", index)
    threads = os.environ.get("OMP_NUM_THREADS")
    if threads and threads.isdigit() and int(threads) > 0:
        torch.set_num_threads(int(threads))
    return torch.device("cpu")


def seed_of(args, request, configuration):
    if args.seed is not None:
        return args.seed
    for value in (request.get("seed"), os.environ.get("NASHPO_SEED")):
        if value not in (None, ""):
            return int(value)
    # Without a seed: one per configuration, as the built-in workload derives it.
    return hash_text(json.dumps(configuration, sort_keys=True))


def objectives_of(request):
    return [o["name"] for o in request.get("objectives") or []] or ["val-error", "params"]


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    request = read_request()
    try:
        spec = spec_of(configuration_of(args, request))
    except KeyError as missing:
        print(f"train_table2.py: the configuration has no {missing}; give it in NASHPO_REQUEST or as --{str(missing).strip(chr(39)).replace('_', '-')}", file=sys.stderr)
        return 2
    objectives = objectives_of(request)
    if args.count_params:
        network = build_network(spec, args.image_size)
        cheap = {"params": count_parameters(network), "flops": multiply_accumulates(network, args.image_size)}
        if "latency-ms" in objectives or args.latency:
            cheap["latency-ms"] = latency_ms(network, args.image_size, torch.device("cpu"))
        print(REPORT_MARKER + json.dumps(cheap), flush=True)
        return 0

    budget = args.budget if args.budget is not None else float(request.get("budget") or os.environ.get("NASHPO_BUDGET") or 1)
    checkpoint_dir = args.checkpoint_dir or os.environ.get("NASHPO_CHECKPOINT_DIR") or request.get("checkpointDir")
    parent_dir = args.parent_checkpoint_dir or os.environ.get("NASHPO_PARENT_CHECKPOINT_DIR")
    device = choose_device(args.device)
    data = load_data(args.data, args.image_size, args.train_subset, args.validation_subset, args.test_subset,
                     args.validation_fraction, args.split_seed)
    trainer = Trainer(spec, data, seed_of(args, request, spec), device, args.image_size)
    latency = latency_ms(trainer.network, args.image_size, device) if ("latency-ms" in objectives or args.latency) else None

    own = load_checkpoint(checkpoint_dir)
    inherited = load_checkpoint(parent_dir) if own is None else None
    source = "own" if own is not None else "parent" if inherited is not None else "scratch"
    if own is not None or inherited is not None:
        trainer.restore(own if own is not None else inherited, checkpoint_dir if own is not None else parent_dir)
        print(f"{'resuming from its own' if own is not None else 'continuing from the parent'} checkpoint at epoch {trainer.epochs_done():g}", file=sys.stderr)

    # SIGTERM (the engine's stop): finish the batch in flight, save, exit. A second one ends at once.
    def on_term(signum, frame):
        if trainer.terminate:
            sys.exit(TERMINATED)
        trainer.terminate = True
    signal.signal(signal.SIGTERM, on_term)

    def on_epoch(t):
        val_error, _ = t.errors()
        epoch = t.epochs_done()
        return {"epoch": int(epoch) if float(epoch).is_integer() else epoch, "val-error": val_error, "train-loss": t.last_loss}

    started = time.perf_counter()
    try:
        trainer.train(budget, checkpoint_dir, on_epoch)
    except Terminated:
        print(f"SIGTERM: saved at batch {trainer.done} (epoch {trainer.epochs_done():.3f}) and stopped", file=sys.stderr)
        return TERMINATED
    except Diverged as diverged:
        print(str(diverged), file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    val_error, test_error = trainer.errors()
    final = {"epoch": trainer.epochs_done(), "val-error": val_error, "params": trainer.parameters,
             "flops": trainer.flops, "test-error": test_error, "train-loss": trainer.last_loss,
             "train-time-s": seconds, "start-epoch": trainer.start_batches / trainer.batches_per_epoch,
             "epochs-trained": (trainer.done - trainer.start_batches) / trainer.batches_per_epoch,
             "continued": 1 if source == "parent" else 0, "resumed": 1 if source == "own" else 0}
    if latency is not None:
        final["latency-ms"] = latency
    if float(final["epoch"]).is_integer():
        final["epoch"] = int(final["epoch"])
    print(REPORT_MARKER + json.dumps(final), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except InvalidArchitecture as invalid:
        print(f"train_table2.py: {invalid}", file=sys.stderr)
        sys.exit(1)
