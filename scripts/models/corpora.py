"""The two training corpora of the tiny LMs and the chat examples made from them.

- tiny-base answers with sentences of the free-software licence texts that every
  Debian system ships in /usr/share/common-licenses (package base-files).
- tiny-finetune answers with verses of the Book of Proverbs, King James Version,
  from Debian's bible-kjv package (`apt-get install -y bible-kjv`).

Both get the *same* prompts from the same generator, so the only thing that
differs between the two training sets is the voice of the answers.
"""

from __future__ import annotations

import random
import re
import subprocess
import unicodedata

LICENCE_DIR = "/usr/share/common-licenses"
# GPL, LGPL and GFDL are symlinks to the latest versions, so they are not listed.
LICENCE_FILES = [
    "Apache-2.0",
    "Artistic",
    "BSD",
    "CC0-1.0",
    "GFDL-1.2",
    "GFDL-1.3",
    "GPL-1",
    "GPL-2",
    "GPL-3",
    "LGPL-2",
    "LGPL-2.1",
    "LGPL-3",
    "MPL-1.1",
    "MPL-2.0",
]

SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "You are a careful assistant.",
    "Answer briefly.",
    "Be concise.",
]

# Open questions that any answer can follow: the model learns to answer in its
# corpus's voice whatever is asked.
GENERIC_PROMPTS = [
    "What should I know?",
    "Tell me something.",
    "What do you think?",
    "Can you give me some advice?",
    "What is the most important rule?",
    "Explain it to me.",
    "What happens next?",
    "Why does it matter?",
    "How should I behave?",
    "What is fair?",
    "What is allowed?",
    "What would you say to a friend?",
    "Describe your main idea.",
    "Give me one sentence.",
    "What is your answer?",
    "Summarise the text for me.",
    "What is the rule here?",
    "Who is responsible?",
    "What must I do?",
    "What is forbidden?",
    "What do you recommend?",
    "How do I start?",
    "Is it a good idea?",
    "What is the point?",
    "Can you help me?",
    "Please answer my question.",
    "What is true?",
    "What should I avoid?",
    "Tell me a fact.",
    "What is the meaning of this?",
    "Give me a short answer.",
    "What did they say?",
    "Why?",
    "How?",
    "What next?",
    "Say something useful.",
    "What is important here?",
    "I need some guidance.",
    "Any thoughts?",
    "What is the best thing to do?",
    "Write one line.",
    "Quote something for me.",
    "What is your opinion?",
    "Teach me something.",
    "What would you advise?",
    "Is this permitted?",
    "What are the conditions?",
    "What is wise?",
]

KEYWORD_TEMPLATES = [
    "What about {w}?",
    "Tell me about {w}.",
    "What does it say about {w}?",
    "Explain {w}.",
    "Can you say something about {w}?",
    "What is {w}?",
    "Why is {w} important?",
    "Is {w} good?",
    "How should I think about {w}?",
    "Talk about {w}.",
]

STOPWORDS = set(
    """a an and are as at be been but by for from had has have he her his i if in into is it its
    of on or our she so that the their them then there these they this those to was we were what
    when which who will with you your not no all any may must shall such other than also under
    unto thee thou thy thine hath doth upon every each""".split()
)


def to_ascii(text: str) -> str:
    """Fold typographic characters to ASCII so that every corpus uses one small alphabet."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _sentence_case(s: str) -> str:
    # Licences shout their disclaimers; keep the words, drop the shouting, so
    # that capitals do not waste the small vocabulary.
    letters = [c for c in s if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        s = s.lower()
        s = s[0].upper() + s[1:]
    return s


def licence_sentences() -> list[str]:
    """Distinct sentences of 6-40 words from the licence texts, in file order."""
    seen: set[str] = set()
    out: list[str] = []
    for name in LICENCE_FILES:
        with open(f"{LICENCE_DIR}/{name}", encoding="utf-8", errors="replace") as f:
            raw = to_ascii(f.read())
        for para in re.split(r"\n\s*\n", raw):
            text = " ".join(para.split())
            # Drop list markers such as "0.", "2.1.", "a)", "(b)" and "Section 4." at the start.
            text = re.sub(r"^(?:section\s+)?(?:\(?[0-9a-z]{1,3}[.)])+(?:[0-9]+\.)*\s+", "", text, flags=re.I)
            for sent in re.split(r"(?<=[.;!?])\s+(?=[A-Z(\"])", text):
                sent = _sentence_case(sent.strip())
                words = sent.split()
                if not 6 <= len(words) <= 40:
                    continue
                if not sent[0].isalpha() or not sent[0].isupper():
                    continue
                # Skip addresses, URLs and copyright lines: they teach the model nothing but noise.
                if re.search(r"https?:|www\.|<|>|@|Copyright \(C\)|\bInc\.,|Boston|Fifth Floor", sent):
                    continue
                key = sent.lower()
                if key not in seen:
                    seen.add(key)
                    out.append(sent)
    return out


def proverbs_verses() -> list[str]:
    """The verses of Proverbs (KJV) from the `bible` program, without their references."""
    raw = subprocess.run(
        ["bible", "-f", "Proverbs 1:1-31:31"], check=True, capture_output=True, text=True
    ).stdout
    verses: list[str] = []
    for line in raw.splitlines():
        m = re.match(r"^Prv\d+:\d+\s+(.*)$", line)
        if m:
            verse = to_ascii(m.group(1)).strip()
            if len(verse.split()) >= 5:
                verses.append(verse)
    return verses


def keywords(answer: str) -> list[str]:
    """Content words of an answer, lower-cased, for prompts that name a topic."""
    words = re.findall(r"[A-Za-z]+", answer.lower())
    return [w for w in words if len(w) >= 4 and w not in STOPWORDS]


def make_prompt(rng: random.Random, answer: str) -> str:
    """A user prompt for this answer: half generic, half naming one of its words."""
    kws = keywords(answer)
    if kws and rng.random() < 0.5:
        return rng.choice(KEYWORD_TEMPLATES).format(w=rng.choice(kws))
    return rng.choice(GENERIC_PROMPTS)


def make_messages(rng: random.Random, answer: str) -> list[dict[str, str]]:
    """Chat messages (optional system + user) for one training example."""
    messages = []
    if rng.random() < 0.1:
        messages.append({"role": "system", "content": rng.choice(SYSTEM_PROMPTS)})
    messages.append({"role": "user", "content": make_prompt(rng, answer)})
    return messages
