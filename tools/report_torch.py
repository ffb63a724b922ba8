"""The report's PyTorch pieces, shared by bench/torch_step.py and
tools/torch_reference_run.py: its ConvNet, its transforms, and a data set of
uint8 images held in memory and served as PIL images, as torchvision's CIFAR10
does. (tools/make_fixtures.py keeps its own word-for-word copy of the report's
classes, since it is the reference record.)"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
TRAIN_TRANSFORM = T.Compose(
    [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(MEAN, STD)]
)
TEST_TRANSFORM = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])


class ConvNet(nn.Module):  # the report's model
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(8 * 6 * 6, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class InMemory(torch.utils.data.Dataset):
    """uint8 HWC images → PIL → transform, like torchvision.datasets.CIFAR10."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])
