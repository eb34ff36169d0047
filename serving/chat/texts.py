"""What the bot says, in one place, so every channel says the same."""

# Said first in every conversation, once (Meta's and the law's bot disclosure).
DISCLOSURE = (
    "This is a bot: every persona here is an automated chatbot trained on "
    "someone's messages. It writes like them, but it is not them."
)
GREETING = "Hi! Who would you like to talk to?"
CHOOSE = "Who would you like to talk to? Type %show all to see the public personas."
NO_PUBLIC = "There are no public personas yet. Type %help to see what I can do."
PUBLIC_LIST = "Public personas: {names}"
UNKNOWN = (
    "I don't know a persona called {name!r}. Type %show all to see the public ones."
)
NOT_READY = "{name} is still being built ({percent}% done). Try again in a few minutes."
FAILED = "{name} could not be built. Its owner can try creating it again."
PASSWORD_PROMPT = "This persona is password protected. Please enter a password."
NO_PASSWORD_ASKED = "No persona is waiting for a password now. Type %help."
WRONG_PASSWORD = "That password is wrong. Try again, or type %restart to pick another."
LOCKED_NOW = (
    "That password is wrong, and that was the last try. "
    "Try again in {minutes} minutes, or type %restart."
)
LOCKED = "Too many wrong passwords. Try again in {minutes} minutes, or type %restart."
CHATTING = "You are now chatting with {name}. Type %restart to pick a new persona."
GONE = "That persona is no longer available. Who would you like to talk to?"
ONLY_FOR = "This chat is only for {name}."
UNKNOWN_COMMAND = "I don't know the command {command}. Type %help."
HELP = (
    "Commands:\n"
    "  %show all  list the public personas\n"
    "  %restart   pick another persona\n"
    "  %help      this help\n"
    "Type a persona's name to talk to it."
)
EMPTY = "Say something and I will answer."
ATTACHMENT = "I can only read text for now. Could you say it in words?"
