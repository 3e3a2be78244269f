"""Vision Transformer (Dosovitskiy et al., 2021): cut the image into patches, embed each patch as
a token, add a learned class token and position embeddings, run a Transformer encoder, classify
from the class token.

Module and parameter names follow ``torchvision.models.vision_transformer`` (``conv_proj``,
``class_token``, ``encoder.pos_embedding``, ``encoder.layers.encoder_layer_i``, ``heads.head``),
so ``vit_b_16`` loads torchvision's state dict with ``strict=True``.
"""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import Tensor, nn

from .input_check import check_input
from .registry import register

__all__ = ["MLPBlock", "EncoderBlock", "Encoder", "VisionTransformer", "vit_tiny", "vit_b_16"]


class MLPBlock(nn.Sequential):
    """Linear → GELU → Dropout → Linear → Dropout (indices 0–4 as in torchvision).

    Args:
        dim: token width in and out.
        mlp_dim: width of the hidden layer.
        dropout: dropout probability after each linear layer.
    """

    def __init__(self, dim: int, mlp_dim: int, dropout: float = 0.0) -> None:
        super().__init__(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                         nn.Linear(mlp_dim, dim), nn.Dropout(dropout))


class EncoderBlock(nn.Module):
    """Pre-norm Transformer block: x + MHSA(LN(x)), then x + MLP(LN(x)).

    Args:
        num_heads: attention heads; must divide ``dim``.
        dim: token width.
        mlp_dim: hidden width of the MLP.
        dropout: dropout probability after the attention and in the MLP.
        attention_dropout: dropout probability on the attention weights.
    """

    def __init__(self, num_heads: int, dim: int, mlp_dim: int, dropout: float = 0.0,
                 attention_dropout: float = 0.0) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim, eps=1e-6)
        self.self_attention = nn.MultiheadAttention(dim, num_heads, dropout=attention_dropout,
                                                    batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLPBlock(dim, mlp_dim, dropout)

    def attend(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The attention branch: its output and the weights of every head (B, heads, T, T).

        Args:
            x: tokens (B, T, dim).
        """
        y = self.ln_1(x)
        out, weights = self.self_attention(y, y, y, need_weights=True,
                                           average_attn_weights=False)
        return out, weights

    def forward(self, x: Tensor) -> Tensor:
        y = self.ln_1(x)
        y, _ = self.self_attention(y, y, y, need_weights=False)
        x = x + self.dropout(y)
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """Position embeddings + a stack of :class:`EncoderBlock` + a final LayerNorm.

    Args:
        seq_length: tokens per image (patches + class token), one position embedding each.
        num_layers: encoder blocks.
        num_heads: attention heads per block.
        dim: token width.
        mlp_dim: hidden width of each MLP.
        dropout: dropout probability on the embedded tokens and inside the blocks.
        attention_dropout: dropout probability on the attention weights.
    """

    def __init__(self, seq_length: int, num_layers: int, num_heads: int, dim: int, mlp_dim: int,
                 dropout: float = 0.0, attention_dropout: float = 0.0) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.empty(1, seq_length, dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(OrderedDict(
            (f"encoder_layer_{i}", EncoderBlock(num_heads, dim, mlp_dim, dropout,
                                                attention_dropout))
            for i in range(num_layers)))
        self.ln = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x: Tensor) -> Tensor:
        return self.ln(self.layers(self.dropout(x + self.pos_embedding)))


class VisionTransformer(nn.Module):
    """patchify (a k×k/k convolution) → tokens → + class token → encoder → head.

    Args:
        image_size: side of the square input; a multiple of ``patch_size``.
        patch_size: side k of each patch.
        num_layers: encoder blocks.
        num_heads: attention heads; must divide ``hidden_dim``.
        hidden_dim: token width.
        mlp_dim: hidden width of each MLP.
        num_classes: outputs of the head.
        in_channels: channels of the input images.
        dropout: dropout probability in the encoder.
        attention_dropout: dropout probability on the attention weights.
    """

    def __init__(self, image_size: int, patch_size: int, num_layers: int, num_heads: int,
                 hidden_dim: int, mlp_dim: int, num_classes: int = 1000, in_channels: int = 3,
                 dropout: float = 0.0, attention_dropout: float = 0.0) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"image_size={image_size} is not divisible by "
                             f"patch_size={patch_size}")
        if hidden_dim % num_heads:
            raise ValueError(f"hidden_dim={hidden_dim} must be divisible by "
                             f"num_heads={num_heads}")
        self.image_size, self.patch_size, self.hidden_dim = image_size, patch_size, hidden_dim
        self.in_channels, self.input_size = in_channels, image_size  # read by check_input
        self.conv_proj = nn.Conv2d(in_channels, hidden_dim, patch_size, stride=patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.seq_length = (image_size // patch_size) ** 2 + 1
        self.encoder = Encoder(self.seq_length, num_layers, num_heads, hidden_dim, mlp_dim,
                               dropout, attention_dropout)
        self.heads = nn.Sequential(OrderedDict(head=nn.Linear(hidden_dim, num_classes)))
        self._init_weights(in_channels)

    def _init_weights(self, in_channels: int) -> None:
        fan_in = in_channels * self.patch_size ** 2
        nn.init.trunc_normal_(self.conv_proj.weight, std=(1 / fan_in) ** 0.5)
        nn.init.zeros_(self.conv_proj.bias)
        nn.init.zeros_(self.heads.head.weight)
        nn.init.zeros_(self.heads.head.bias)

    def patchify(self, x: Tensor) -> Tensor:
        """Images (B, C, H, W) → patch tokens (B, number of patches, hidden_dim).

        Args:
            x: images of side ``image_size``.
        """
        check_input(self, x)
        return self.conv_proj(x).flatten(2).transpose(1, 2)

    def tokens(self, x: Tensor) -> Tensor:
        """Patch tokens with the class token prepended: (B, 1 + patches, hidden_dim).

        Args:
            x: images (B, C, H, W) of side ``image_size``.
        """
        patches = self.patchify(x)
        return torch.cat([self.class_token.expand(len(x), -1, -1), patches], dim=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.heads(self.encoder(self.tokens(x))[:, 0])

    @torch.no_grad()
    def attention_maps(self, x: Tensor) -> list[Tensor]:
        """Attention weights of every layer, each (B, heads, T, T), T = 1 + patches.

        Args:
            x: images (B, C, H, W) of side ``image_size``.
        """
        h = self.encoder.dropout(self.tokens(x) + self.encoder.pos_embedding)
        maps = []
        for block in self.encoder.layers:
            maps.append(block.attend(h)[1])
            h = block(h)
        return maps


@register("vit_tiny")
def vit_tiny(num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
             patch_size: int = 4, num_layers: int = 4, num_heads: int = 4, hidden_dim: int = 64,
             mlp_dim: int = 128, dropout: float = 0.0) -> VisionTransformer:
    """A tiny ViT for small images (28×28, 4×4 patches → 49 tokens + class token).

    Args:
        num_classes: outputs of the head.
        in_channels: channels of the input images.
        image_size: side of the square input; a multiple of ``patch_size``.
        patch_size: side of each patch.
        num_layers: encoder blocks.
        num_heads: attention heads; must divide ``hidden_dim``.
        hidden_dim: token width.
        mlp_dim: hidden width of each MLP.
        dropout: dropout probability in the encoder.
    """
    return VisionTransformer(image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim,
                             num_classes, in_channels, dropout)


@register("vit_b_16", torchvision=True)
def vit_b_16(num_classes: int = 1000, in_channels: int = 3,
             image_size: int = 224) -> VisionTransformer:
    """ViT-Base with 16×16 patches: 12 layers, 12 heads, width 768, MLP 3072.

    Args:
        num_classes: outputs of the head.
        in_channels: channels of the input images.
        image_size: side of the square input; a multiple of 16 (224 for the ImageNet weights).
    """
    return VisionTransformer(image_size, 16, 12, 12, 768, 3072, num_classes, in_channels)

