"""The B7 reference: the same CNN and data loop in Debian's PyTorch (python3-torch), for comparison only.

Usage: /usr/bin/python3 pytorch_cnn.py DATA_DIR TRAIN_IMAGES EPOCHS THREADS
Prints one JSON line: {"images_per_second": ..., "seconds": ..., "parameters": ...}.
"""
import gzip
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    directory, count, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    images = torch.tensor(read_idx(f"{directory}/train-images-idx3-ubyte.gz")[:count], dtype=torch.float32).unsqueeze(1) / 255.0
    labels = torch.tensor(read_idx(f"{directory}/train-labels-idx1-ubyte.gz")[:count], dtype=torch.int64)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(count)
        for b in range(0, count, 128):
            index = order[b:b + 128]
            loss = loss_function(net(images[index]), labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    print(json.dumps({"images_per_second": count * epochs / seconds, "seconds": seconds,
                      "parameters": sum(p.numel() for p in net.parameters())}))


if __name__ == "__main__":
    main()
