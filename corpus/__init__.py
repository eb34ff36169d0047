"""Messages to conversations, pairs and training text; no torch, no HTTP here."""

from corpus.build import (
    CORPUS_FORMAT,
    CORPUS_VERSION,
    Corpus,
    CorpusFormatError,
    EmptyCorpusError,
    build_corpus,
    load_corpus,
)
from corpus.canaries import CANARY_KINDS, Canary, random_secret, read_canaries
from corpus.clean import clean_text
from corpus.encoding import (
    CONVERSATION_START,
    END_OF_TURN,
    MARKERS,
    OTHER_TURN,
    PERSONA_TURN,
    PLACEHOLDER_WORDS,
    PLACEHOLDERS,
    encode_conversation,
    encode_prompt,
    encode_turn,
    render_placeholders,
    strip_markers,
)
from corpus.message import Message, MessageFormatError, read_messages, write_messages
from corpus.pairs import Pair, PersonaNotFoundError, guess_persona, make_pairs
from corpus.scrub import (
    DEFAULT_PHONE_REGIONS,
    PrivacySettings,
    PrivacySettingsError,
    read_block_file,
    scrub_text,
)
from corpus.split import split_by_key
from corpus.stats import CorpusStats
from corpus.turns import DEFAULT_GAP, Turn, merge_turns, split_conversations

__all__ = [
    "CANARY_KINDS",
    "CONVERSATION_START",
    "CORPUS_FORMAT",
    "CORPUS_VERSION",
    "DEFAULT_GAP",
    "DEFAULT_PHONE_REGIONS",
    "END_OF_TURN",
    "MARKERS",
    "OTHER_TURN",
    "PERSONA_TURN",
    "PLACEHOLDERS",
    "PLACEHOLDER_WORDS",
    "Canary",
    "Corpus",
    "CorpusFormatError",
    "CorpusStats",
    "EmptyCorpusError",
    "Message",
    "MessageFormatError",
    "Pair",
    "PersonaNotFoundError",
    "PrivacySettings",
    "PrivacySettingsError",
    "Turn",
    "build_corpus",
    "clean_text",
    "encode_conversation",
    "encode_prompt",
    "encode_turn",
    "guess_persona",
    "load_corpus",
    "make_pairs",
    "merge_turns",
    "random_secret",
    "read_block_file",
    "read_canaries",
    "read_messages",
    "render_placeholders",
    "scrub_text",
    "split_by_key",
    "split_conversations",
    "strip_markers",
    "write_messages",
]
