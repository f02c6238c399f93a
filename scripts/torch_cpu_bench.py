#!/usr/bin/env python3
"""PyTorch CPU anchor for `nrj bench`: one training step (forward, cross-entropy, backward, SGD with
momentum 0.9 and weight decay) of the same networks nrj ships, built layer for layer like their .nr
specs (conv without bias + BN + ReLU; classifier = global average pooling + linear), batch B, random
data, all cores. Prints one JSON line: img_s and ms_step over STEPS timed steps after a warm-up.

Derived from ../shared/tools/torch_cpu.py, with one correction: `vgg19_nr` is the Neural
Rejuvenation VGG-19 of generated-examples/src/main/nr/vgg19_nr.nr (two max-pools, 2.61 GMAC per
image), not torchvision's VGG-19 configuration (four max-pools, 0.40 GMAC), which has exactly the
same parameter count and so is easy to mistake for it. The torchvision layout is kept as `vgg19`
(spec: scripts/bench/vgg19_standard.nr).

  python3 torch_cpu_bench.py NET [BATCH] [STEPS] [WARMUP]    NET: lenet5 small_vgg resnet164 vgg19_nr vgg19

WARMUP untimed steps first (default: max(3, STEPS // 10), as ../shared/tools/torch_cpu.py).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def cbr(cin, cout, k, s=1, p=None, relu=True):
    p = (k - 1) // 2 if p is None else p
    layers = [nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, nn.ReLU(inplace=True)) if relu else nn.Sequential(*layers)


class Head(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.fc = nn.Linear(c, k)

    def forward(self, x):
        return self.fc(x.mean((2, 3)))


def lenet5():
    return nn.Sequential(cbr(1, 20, 5, p=0), nn.MaxPool2d(2), cbr(20, 50, 5, p=0), nn.MaxPool2d(2),
                         cbr(50, 500, 4, p=0), Head(500, 10)), (1, 28, 28)


def small_vgg():
    return nn.Sequential(cbr(3, 16, 3), cbr(16, 16, 3), nn.MaxPool2d(2), cbr(16, 32, 3), cbr(32, 32, 3),
                         nn.MaxPool2d(2), cbr(32, 64, 3), cbr(64, 64, 3), Head(64, 10)), (3, 32, 32)


def vgg(cfg):
    layers, c = [], 3
    for v in cfg:
        if v == 'M':
            layers.append(nn.MaxPool2d(2))
        else:
            layers.append(cbr(c, v, 3))
            c = v
    return nn.Sequential(*layers, Head(c, 10)), (3, 32, 32)


def vgg19_nr():
    return vgg([64, 64, 128, 128, 'M', 256, 256, 256, 256, 512, 512, 'M', 512, 512, 512, 512, 512, 512])


def vgg19():
    return vgg([64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512])


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.b = nn.Sequential(cbr(cin, planes, 1), cbr(planes, planes, 3, stride),
                               cbr(planes, planes * 4, 1, relu=False))
        self.d = (cbr(cin, planes * 4, 1, stride, 0, relu=False)
                  if stride != 1 or cin != planes * 4 else None)

    def forward(self, x):
        return F.relu(self.b(x) + (x if self.d is None else self.d(x)))


def resnet164():
    layers, c = [cbr(3, 16, 3)], 16
    for planes, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(18):
            layers.append(Bottleneck(c, planes, stride if i == 0 else 1))
            c = planes * 4
    return nn.Sequential(*layers, Head(c, 10)), (3, 32, 32)


NETS = dict(lenet5=lenet5, small_vgg=small_vgg, resnet164=resnet164, vgg19_nr=vgg19_nr, vgg19=vgg19)


def main():
    name = sys.argv[1]
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else max(3, steps // 10)
    torch.manual_seed(0)
    net, shape = NETS[name]()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    dt = time.perf_counter() - t
    print(json.dumps(dict(impl='pytorch-' + torch.__version__, net=name, batch=batch,
                          threads=torch.get_num_threads(),
                          params=sum(p.numel() for p in net.parameters()),
                          img_s=round(batch * steps / dt, 1), ms_step=round(1000 * dt / steps, 2))))


if __name__ == '__main__':
    main()
