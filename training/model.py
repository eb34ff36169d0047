"""The character-level LSTM, and a fast single-step form of it for generation."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from training.config import ModelConfig

State = tuple[Tensor, Tensor]  # (h, c), each (L, B, H)


class CharLSTM(nn.Module):
    """Embedding -> multi-layer LSTM -> dropout -> linear head over the vocabulary."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim)
        self.lstm = nn.LSTM(
            config.embed_dim,
            config.hidden_size,
            config.num_layers,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden_size, config.vocab_size)
        # A forget-gate bias of 1 lets gradients flow across long windows early on.
        for layer in range(config.num_layers):
            bias = getattr(self.lstm, f"bias_ih_l{layer}")
            with torch.no_grad():
                hidden = config.hidden_size
                bias[hidden : 2 * hidden].fill_(1.0)

    def num_params(self) -> int:
        """How many weights the model has."""
        return sum(p.numel() for p in self.parameters())

    def forward(
        self,
        idx: Tensor,
        targets: Tensor | None = None,
        state: State | None = None,
        weights: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None, State]:
        """Logits for every position, the mean loss in nats if targets are given.

        `weights` (B, T) weigh each target's loss: a persona is fine-tuned with its
        own turns counting more than its friends'.
        """
        x = self.embed(idx)  # (B, T, E)
        out, state = self.lstm(x, state)  # (B, T, H); h, c: (L, B, H)
        logits = self.head(self.drop(out))  # (B, T, V)
        loss = None
        if targets is not None and weights is None:
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        elif targets is not None and weights is not None:
            losses = F.cross_entropy(
                logits.flatten(0, 1), targets.flatten(), reduction="none"
            )  # (B*T,)
            flat = weights.flatten()
            loss = (losses * flat).sum() / flat.sum().clamp_min(1e-6)
        return logits, loss, state

    @torch.inference_mode()
    def prime(self, sequences: list[list[int]]) -> tuple[Tensor, State]:
        """Read many id sequences of any lengths in one packed pass: the logits
        after each one's last character (B, V) and its final state (L, B, H).

        Replies to many conversations start from their prompts; one packed call
        reads them all several times faster than one call a prompt.
        """
        lengths = torch.tensor([len(ids) for ids in sequences])
        padded = torch.zeros((len(sequences), int(lengths.max())), dtype=torch.long)
        for row, ids in enumerate(sequences):
            padded[row, : len(ids)] = torch.tensor(ids)
        packed = nn.utils.rnn.pack_padded_sequence(
            self.embed(padded), lengths, batch_first=True, enforce_sorted=False
        )
        with fast_autocast():
            _, (h, c) = self.lstm(packed)  # (L, B, H) each, in the input order
        h, c = h.float(), c.float()
        return self.head(h[-1]), (h, c)

    def init_state(self, batch: int, device: torch.device | str = "cpu") -> State:
        """A zero hidden state for `batch` streams."""
        shape = (self.config.num_layers, batch, self.config.hidden_size)
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device)

    def stepper(self, dtype: torch.dtype | None = None) -> Stepper:
        """Frozen weights for fast one-character steps (see `Stepper`)."""
        return Stepper.from_model(self, dtype)


def cpu_bf16_is_fast() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AMX tiles)."""
    return bool(getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)())


def fast_autocast() -> torch.autocast:
    """Inference matrix products in bfloat16 where that is fast (reading prompts,
    scoring candidates), fp32 elsewhere."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=cpu_bf16_is_fast())


@dataclass(frozen=True)
class Stepper:
    """The LSTM as plain matrix products, for generating one character at a time.

    Measured on a 2-core CPU (hidden 256): one `nn.LSTM` step takes 1.6 ms with oneDNN
    enabled and 0.21 ms with `torch.backends.mkldnn` off, while this form takes 0.10
    ms. Unlike flipping the global oneDNN switch, it cannot slow down a training run
    in another thread, and the embedding and first input projection fold into one
    lookup table. Read-only, so many threads can share one.
    """

    table: Tensor  # (V, 4H): embedding @ W_ih0 + both layer-0 biases, fp32
    w_hh0: Tensor  # (H, 4H), in `dtype`
    w_in: tuple[Tensor, ...]  # per layer >= 1: (2H, 4H) = [W_ih; W_hh], in `dtype`
    bias: tuple[Tensor, ...]  # per layer >= 1: (4H,), fp32
    w_out: Tensor  # (H, V), fp32
    b_out: Tensor  # (V,), fp32
    dtype: torch.dtype = torch.float32  # of the recurrent matrix products

    @classmethod
    @torch.no_grad()
    def from_model(cls, model: CharLSTM, dtype: torch.dtype | None = None) -> Stepper:
        """Copy and rearrange a model's weights; `dtype` None: bfloat16 where the
        CPU multiplies it fast (measured: twice the speed of fp32 on AMX), else
        fp32. States, gates and logits stay fp32 either way."""
        lstm, layers = model.lstm, model.config.num_layers
        dtype = dtype or (torch.bfloat16 if cpu_bf16_is_fast() else torch.float32)

        def weight(name: str, layer: int) -> Tensor:
            return getattr(lstm, f"{name}_l{layer}").detach()

        table = model.embed.weight @ weight("weight_ih", 0).T
        table = table + weight("bias_ih", 0) + weight("bias_hh", 0)
        return cls(
            table=table.contiguous(),
            w_hh0=weight("weight_hh", 0).T.contiguous().to(dtype),
            w_in=tuple(
                torch.cat([weight("weight_ih", i).T, weight("weight_hh", i).T])
                .contiguous()
                .to(dtype)
                for i in range(1, layers)
            ),
            bias=tuple(
                weight("bias_ih", i) + weight("bias_hh", i) for i in range(1, layers)
            ),
            w_out=model.head.weight.detach().T.contiguous(),
            b_out=model.head.bias.detach().clone(),
            dtype=dtype,
        )

    def step(self, idx: Tensor, state: State) -> tuple[Tensor, State]:
        """Feed one character per stream (B,); return logits (B, V) and the state."""
        h, c = state  # (L, B, H) each, fp32
        new_h, new_c = [], []
        x = h[0]
        for layer in range(len(self.w_in) + 1):
            if layer == 0:
                gates = torch.mm(h[0].to(self.dtype), self.w_hh0).float()  # (B, 4H)
                gates += self.table[idx]
            else:
                both = torch.cat([x, h[layer]], dim=1).to(self.dtype)  # (B, 2H)
                gates = torch.mm(both, self.w_in[layer - 1]).float()
                gates += self.bias[layer - 1]
            # PyTorch's gate order i, f, g, o; one sigmoid call for all four is
            # cheaper than three for i, f and o (a step is mostly call overhead).
            i, f, _, o = torch.sigmoid(gates).chunk(4, dim=1)
            hidden = i.shape[1]
            g = torch.tanh(gates[:, 2 * hidden : 3 * hidden])
            cell = torch.addcmul(f * c[layer], i, g)
            x = o * torch.tanh(cell)  # (B, H)
            new_h.append(x)
            new_c.append(cell)
        logits = torch.addmm(self.b_out, x, self.w_out)  # (B, V)
        return logits, (torch.stack(new_h), torch.stack(new_c))
