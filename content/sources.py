"""Where content comes from: a content.json file, a folder holding one, or a .zip of it.

Files the content names (logos) are inline `data:` URIs (what an export to one .json file
writes), or are read only from inside that folder or archive: an
absolute path, a `..` or a symlink out of the folder is refused. Archives are never
extracted: after checking the number of entries, their total declared size and that no
entry name leaves the archive (zip-slip), members are read one at a time, each with a
size cap, so a zip bomb or a lying header costs at most that cap.
"""

import base64
import binascii
import contextlib
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from .format import CONTENT_FILE

MAX_CONTENT_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_ENTRIES = 10_000
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
# The format nests four levels (content > section > record > list of skills); a file
# nested deeper is not this format, and Python's own recursion (the JSON parser's, a
# repr in an error message) must never meet it.
MAX_DEPTH = 16
CONTENT_FORMS = "a content .json file, a folder holding content.json, or a .zip of such a folder"


class ContentError(Exception):
    """The content cannot be imported; `errors` says why, one line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class FileNotReadable(Exception):
    """A file named by the content cannot be read; the message says why."""


class ContentSource:
    """Parsed content (`data`) and access to the files beside it."""

    where = "next to content.json"

    def __init__(self, data: Any):
        self.data = data

    def read(self, name: str, *, limit: int) -> tuple[bytes, int]:
        """At most `limit + 1` bytes of the file `name` (relative, with forward slashes, or
        an inline `data:` URI), and its full size."""
        if isinstance(name, str) and name.startswith("data:"):
            return read_data_uri(name, limit=limit)
        return self.read_file(name, limit=limit)

    def read_file(self, name: str, *, limit: int) -> tuple[bytes, int]:
        raise NotImplementedError


class FolderSource(ContentSource):
    def __init__(self, data: Any, *, folder: Path):
        super().__init__(data)
        self.folder = folder.resolve()

    def read_file(self, name: str, *, limit: int) -> tuple[bytes, int]:
        target = (self.folder / safe_relative_path(name)).resolve()
        if not target.is_relative_to(self.folder):
            raise FileNotReadable(f'"{name}" leads outside the content folder.')
        if not target.is_file():
            raise FileNotReadable(f'No file "{name}" {self.where}.')
        with target.open("rb") as file:
            return file.read(limit + 1), target.stat().st_size


class UploadedFileSource(ContentSource):
    """An uploaded .json file: nothing was uploaded beside it, so its logos are inline."""

    def read_file(self, name: str, *, limit: int) -> tuple[bytes, int]:
        raise FileNotReadable(
            f'"{describe(name)}" names a file, and a .json upload has none beside it: give '
            "the logo inline (a data: URI, as “export_content export.json” writes it), or "
            "upload a .zip holding content.json and its logos/ folder."
        )


class ArchiveSource(ContentSource):
    where = "in the archive"

    def __init__(self, data: Any, *, archive: zipfile.ZipFile, prefix: str):
        super().__init__(data)
        self.archive = archive
        self.prefix = prefix

    def read_file(self, name: str, *, limit: int) -> tuple[bytes, int]:
        member = self.prefix + safe_relative_path(name).as_posix()
        try:
            info = self.archive.getinfo(member)
        except KeyError:
            raise FileNotReadable(f'No file "{name}" {self.where}.') from None
        try:
            with self.archive.open(info) as file:
                return file.read(limit + 1), info.file_size
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:
            raise FileNotReadable(f'"{name}" cannot be read from the archive: {error}') from None


_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?;base64,")


def read_data_uri(value: str, *, limit: int) -> tuple[bytes, int]:
    """The bytes of a `data:[type];base64,…` URI (at most `limit + 1`), and their size."""
    match = _DATA_URI.match(value)
    if not match:
        raise FileNotReadable(
            "An inline file must be a base64 data: URI, e.g. data:image/png;base64,iVBOR…"
        )
    payload = value[match.end() :]
    size = len(payload) * 3 // 4 - payload[-2:].count("=")
    # Decode no more than the cap needs: a huge payload costs only its check.
    head = payload[: (limit + 1 + 2) // 3 * 4]
    try:
        data = base64.b64decode(head, validate=True)
    except (binascii.Error, ValueError):
        raise FileNotReadable(f"{describe(value)}: Not valid base64 data.") from None
    return data[: limit + 1], size


def describe(name: str) -> str:
    """How to name a file of the content in a message: an inline one by its start only."""
    if isinstance(name, str) and name.startswith("data:"):
        return name[: name.find(",") + 1] + "…" if "," in name[:80] else name[:40] + "…"
    return name


def safe_relative_path(name: str) -> PurePosixPath:
    if not isinstance(name, str) or not name.strip():
        raise FileNotReadable("Expected a file path relative to content.json.")
    path = PurePosixPath(name)
    if "\\" in name or "\x00" in name or path.is_absolute() or ".." in path.parts:
        raise FileNotReadable(
            f'"{name}" must be a path inside the content folder, with forward slashes '
            '(e.g. "logos/acme.png").'
        )
    return path


@contextlib.contextmanager
def open_content(path: str | Path, *, name: str | None = None) -> Iterator[ContentSource]:
    """The content at `path`: a JSON file, a folder holding content.json, or a .zip of one.

    Messages call the file `name` (say, the name it was uploaded under) rather than its
    path, and then never show a path of this machine: `name` is an upload, whose temporary
    copy means nothing to the person who sent it. Raises ContentError when there is
    nothing readable there.
    """
    path = Path(path)
    label = name or str(path)
    if path.is_dir():
        content_file = path / CONTENT_FILE
        if not content_file.is_file():
            looked = "" if name else f" (looked for {content_file})"
            raise ContentError([f"{label}: This folder holds no {CONTENT_FILE}{looked}."])
        data = _parse(_read_file(content_file, label), name or str(content_file))
        yield FolderSource(data, folder=path)
    elif path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        with _open_archive(path, label) as (archive, prefix):
            raw = _read_member(archive, prefix + CONTENT_FILE, label)
            yield ArchiveSource(_parse(raw, label), archive=archive, prefix=prefix)
    elif path.is_file() and name:
        yield UploadedFileSource(_parse(_read_file(path, label), label))
    elif path.is_file():
        yield FolderSource(_parse(_read_file(path, label), label), folder=path.parent)
    else:
        raise ContentError([f"{label}: No such file or folder. Expected {CONTENT_FORMS}."])


def _read_file(path: Path, label: str) -> bytes:
    if path.stat().st_size > MAX_CONTENT_BYTES:
        raise ContentError([f"{label}: Larger than {MAX_CONTENT_BYTES // 1024 // 1024} MB."])
    return path.read_bytes()


@contextlib.contextmanager
def _open_archive(path: Path, label: str) -> Iterator[tuple[zipfile.ZipFile, str]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ContentError([f"{label}: Not a readable .zip archive ({error})."]) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ARCHIVE_ENTRIES:
            raise ContentError(
                [f"{label}: {len(entries)} entries; the limit is {MAX_ARCHIVE_ENTRIES}."]
            )
        if sum(entry.file_size for entry in entries) > MAX_ARCHIVE_BYTES:
            raise ContentError(
                [f"{label}: Unpacks to more than {MAX_ARCHIVE_BYTES // 1024 // 1024} MB."]
            )
        unsafe = []
        for entry in entries:
            try:
                safe_relative_path(entry.filename)
            except FileNotReadable:
                unsafe.append(
                    f'{label}: Unsafe entry "{entry.filename}": every path in the archive '
                    "must stay inside it."
                )
        if unsafe:
            raise ContentError(unsafe)
        yield archive, _content_prefix(archive, label)


def _content_prefix(archive: zipfile.ZipFile, label: str) -> str:
    """Where content.json is: at the root, or in the archive's single top folder."""
    names = set(archive.namelist())
    if CONTENT_FILE in names:
        return ""
    nested = [name for name in names if PurePosixPath(name).parts[1:] == (CONTENT_FILE,)]
    if len(nested) == 1:
        return nested[0][: -len(CONTENT_FILE)]
    raise ContentError(
        [f"{label}: No {CONTENT_FILE} at the top of the archive (or in its single folder)."]
    )


def _read_member(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    try:
        with archive.open(name) as file:
            raw = file.read(MAX_CONTENT_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:
        raise ContentError([f"{label}: {name} cannot be read: {error}"]) from None
    if len(raw) > MAX_CONTENT_BYTES:
        raise ContentError(
            [f"{label}: {name} is larger than {MAX_CONTENT_BYTES // 1024 // 1024} MB."]
        )
    return raw


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    # json.loads keeps the last of two equal keys; in content that hides a mistake.
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number in JSON")


def _parse(raw: bytes, label: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentError(
            [f"{label}: Not UTF-8 text ({error.reason} at byte {error.start})."]
        ) from None
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object_without_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except RecursionError:
        # The parser recurses once per level: thousands of "[" end it here.
        raise ContentError([_too_deep(label)]) from None
    except json.JSONDecodeError as error:
        raise ContentError(
            [f"{label}: Malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}."]
        ) from None
    except _DuplicateKey as error:
        raise ContentError(
            [f'{label}: Malformed JSON: the key "{error}" appears twice in one object.']
        ) from None
    except ValueError as error:
        raise ContentError([f"{label}: Malformed JSON: {error}."]) from None
    # Only a \\u escape makes a surrogate (the text was decoded as strict UTF-8).
    _check_values(data, label, surrogates=_SURROGATE_ESCAPE.search(text) is not None)
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _too_deep(label: str) -> str:
    return (
        f"{label}: Nested more than {MAX_DEPTH} levels deep; content is a JSON object of "
        "lists of records (see the format in README.md)."
    )


def _check_values(data: Any, label: str, *, surrogates: bool) -> None:
    """Refuse what JSON can hold but the content cannot: deep nesting, and (`surrogates`)
    text that is not Unicode, a lone "\\ud800" that no database can store."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            texts = value.keys()
            children = value.values()
        elif isinstance(value, list):
            texts, children = (), value
        else:
            continue
        if depth > MAX_DEPTH:
            raise ContentError([_too_deep(label)])
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif surrogates and isinstance(child, str):
                _check_text(child, label)
        if surrogates:
            for text in texts:
                _check_text(text, label)


def _check_text(text: str, label: str) -> None:
    if text.isascii():
        return
    try:
        text.encode()
    except UnicodeEncodeError as error:
        raise ContentError(
            [
                f"{label}: Text that is not valid Unicode: an unpaired surrogate "
                f"(\\u{ord(text[error.start]):04x}) in {text[:40]!r}."
            ]
        ) from None
