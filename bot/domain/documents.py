"""Documents: the knowledge base's files and websites, their statuses, and what Tavus reads.

A document is processed once when it is added (`started`, `processing` with `progress`,
then `ready` or `error`); a crawled website may be recrawled later (`recrawling`, then
`ready` or `error` again). Each recrawl asked from Slack is a new generation of the
document (``RECRAWL_KEY`` in its details), so the second `ready` is a new event, not the
first one again (tavus-notes.md).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot.domain.lifecycle import Lifecycle

KIND = "document"
ID_KEY = "document_id"
OLDER_ID_KEYS = ("uuid",)  # older answers name a document so

STARTED = "started"
PROCESSING = "processing"  # with `progress` 0-100
READY = "ready"
ERROR = "error"
RECRAWLING = "recrawling"
DELETED = "deleted"  # ours: Tavus forgets a deleted document
# A recrawl takes a ready (or failed) document back to `recrawling`, so `recrawling` has no
# rank: it may follow anything, and the interpreter tells a late one from a new recrawl.
LIFECYCLE = Lifecycle.of(STARTED, PROCESSING, (READY, ERROR), DELETED)
STATUSES = frozenset({STARTED, PROCESSING, READY, ERROR, RECRAWLING})
RUNNING = frozenset({STARTED, PROCESSING, RECRAWLING})
SETTLED = frozenset({READY, ERROR})
FINAL = frozenset({READY, ERROR, DELETED})

EVENT_PREFIX = "document."
UNKNOWN = "document.unknown"

# Details keys: the recrawl generation asked last, and the one whose result is known.
RECRAWL_KEY = "recrawl"
SETTLED_KEY = "settled"

# tavus-notes.md: what Tavus reads, and how much.
FILE_EXTENSIONS = (".pdf", ".txt", ".docx", ".doc", ".png", ".jpg", ".pptx", ".csv", ".xlsx")
# A website's page may end like a file; these are pages, read like a site without one.
PAGE_EXTENSIONS = (".html", ".htm", ".php", ".asp", ".aspx", ".jsp")
SIZE_LIMIT = "50 MB"
LANGUAGE = "English"
FORMATS_TEXT = (
    f"Tavus reads {', '.join(ext.lstrip('.') for ext in FILE_EXTENSIONS)} files up to "
    f"{SIZE_LIMIT}, or a website; in {LANGUAGE}."
)
CRAWL_DEPTH = (1, 10)
CRAWL_PAGES = (1, 100)
NAME_MAX = 200
TAG_MAX = 100
TAGS_MAX = 20

# What an `error_message` code means, and what to do about it (the spec lists the codes).
ERROR_WORDS = {
    "file_download_failed": "Tavus could not download the file: check that the link is public",
    "file_format_unsupported": f"Tavus cannot read this type of file. {FORMATS_TEXT}",
    "file_size_too_large": f"the file is larger than Tavus's {SIZE_LIMIT} limit",
    "file_empty": "the file is empty",
    "invalid_file_url": "the link is not one Tavus can fetch: give a public http(s) URL",
    "document_processing_failed": "Tavus could not process the document",
    "website_processing_failed": "Tavus could not read the website",
    "chunking_failed": "Tavus failed while splitting the document up; try again later",
    "embedding_failed": "Tavus failed while indexing the document; try again later",
    "vector_store_failed": "Tavus failed while storing the document; try again later",
    "contact_support": "Tavus asks you to contact support@tavus.io about this document",
}

# A suffix that is a file type: letters and digits with a letter, short (not "v1.2").
_FILE_SUFFIX = re.compile(r"\.(?=[a-z0-9]*[a-z])[a-z0-9]{1,8}")
_TAG = re.compile(r"[^\s,]+")


def extension_of(url: str) -> str | None:
    """The file type a URL's path ends with (".pdf"), or None for a page without one."""
    try:
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    except ValueError:
        return None
    return suffix if _FILE_SUFFIX.fullmatch(suffix) else None


def unsupported_extension(url: str) -> str | None:
    """The extension Tavus would refuse (".mp4"), or None: a supported file, or a website."""
    extension = extension_of(url)
    if extension is None or extension in FILE_EXTENSIONS or extension in PAGE_EXTENSIONS:
        return None
    return extension


def is_website(url: str) -> bool:
    """A page (no file extension, or a page's), which a crawl may follow links from."""
    extension = extension_of(url)
    return extension is None or extension in PAGE_EXTENSIONS


def tag_name(word: str) -> str | None:
    """`#onboarding` -> `onboarding`; None for a word that cannot be a tag."""
    name = word.strip().lstrip("#")
    return name if _TAG.fullmatch(name) and len(name) <= TAG_MAX else None


def tags_in(text: str) -> tuple[str, ...]:
    """Tags typed in a form field, separated by spaces or commas, `#` optional, each once."""
    found = (tag_name(word) for word in re.split(r"[\s,]+", text) if word.strip("#"))
    return tuple(dict.fromkeys(tag for tag in found if tag))


def error_words(code: object) -> str | None:
    """The words for an error code Tavus sent, or None when it is not a code we know."""
    if not isinstance(code, str):
        return None
    return ERROR_WORDS.get(code.strip().lower())
