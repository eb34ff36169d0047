"""What an import read and what it skipped, for a person to check by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from corpus.message import Message

_SENDER = attrgetter("sender")


@dataclass(slots=True)
class ImportReport:
    """Counts filled in as the import streams, so it is mutable, unlike Messages."""

    messages: int = 0
    per_thread: Counter[str] = field(default_factory=Counter)
    per_sender: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> messages
    attachments: Counter[str] = field(default_factory=Counter)  # on kept messages
    marked: Counter[str] = field(default_factory=Counter)  # kept, text marked
    files: int = 0
    format: str = ""

    def kept(self, message: Message) -> None:
        """Count one message handed on to the corpus."""
        self.messages += 1
        self.per_thread[message.thread_id] += 1
        self.per_sender[message.sender] += 1

    def kept_many(self, thread_id: str, messages: Sequence[Message]) -> None:
        """Count a batch of one thread's kept messages, faster than one by one."""
        self.messages += len(messages)
        self.per_thread[thread_id] += len(messages)
        self.per_sender.update(map(_SENDER, messages))

    def skip(self, reason: str, count: int = 1) -> None:
        """Count messages dropped for `reason`."""
        self.skipped[reason] += count

    def summary(self) -> str:
        """A few lines a person can read after `mimical import`."""
        lines = [
            f"{self.messages} messages in {len(self.per_thread)} threads "
            f"from {self.files} files ({self.format or 'no format'})",
        ]
        for sender, count in self.per_sender.most_common(5):
            lines.append(f"  {sender}: {count}")
        for reason, count in sorted(self.skipped.items()):
            lines.append(f"  skipped {reason}: {count}")
        for mark, count in sorted(self.marked.items()):
            lines.append(f"  kept, marked {mark}: {count}")
        return "\n".join(lines)
