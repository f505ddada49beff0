"""The MIME walker: raw bytes -> an `Inspection` of segments, parts and findings.

Every part is visited, without recursion: the headers (Subject and the
display names), text and HTML bodies (HTML turned into text; in
multipart/alternative both are read), forwarded messages (message/rfc822,
marked quoted), preambles, attachments, which are handed on as bytes
(`Part`) to `gateway.extract`, and their file names, which are read as
text. Text quoted from an earlier message is split from what the sender
wrote (`split_quoted`).

Modules, in the order a message meets them:

- structure: a linear pre-scan for nesting depth and part count;
- skeleton: large bodies kept out of Python's line-by-line parser;
- walker: parsing and the walk over the tree (`parse_message`, `read_message`);
- headers: encoded-words, RFC 2231 parameters, file name readings;
- decoding: the one transfer-decoding layer (tolerant names, unknown
  encodings reported);
- lenient: base64 and charsets read as clients read them, every plausible
  reading kept;
- embedded: uuencode, begin-base64 and yEnc blocks inside a text body,
  decoded as attachments (their text is read as body text too);
- checks: where mail filters and mail clients could read a part differently;
- quoted: quoted and flowed text.

Locations: "header:Subject", "header:From" (display names), "body",
"html", "preamble", "attachment:NAME", "attachment:NAME#filename" (the file
name itself, read as text); inside a forwarded message the same under
"forwarded/" (or "attachment:NAME.eml/" when the forward carries a file
name): "forwarded/body", "attachment:fwd.eml/attachment:list.xlsx".
Subjects never appear in locations (locations are logged).

What cannot be read unambiguously becomes an `uninspectable` finding with
full score:

- MIME_NESTING: multiparts (or message/rfc822 parts) nested deeper than
  limits.max_mime_depth. A linear pre-scan finds the depth before Python's
  recursive parser sees it; the message is parsed only up to the part
  that crosses the limit (1000 nested multiparts never reach the parser,
  so no RecursionError), and what comes before is still read.
- TOO_MANY_PARTS: more than limits.max_parts parts; likewise cut there.
- AMBIGUOUS_MIME (details["reason"]): the cases where mail filters and
  mail clients disagree: a duplicate boundary parameter, two different
  charset parameters, duplicate Content-Transfer-Encoding / Content-Type /
  Content-Disposition headers with different values, file name readings
  (filename, filename*, name, decoded) with different extensions, a
  multipart whose boundary never appears (read as text), a forwarded
  message sent base64 or quoted-printable (decoded and read), a
  transfer encoding no client knows (its raw bytes are read as text),
  base64 that reads more than one way (a "=", "-" or "_" inside it:
  "base64_readings") and a charset clients do not decode that reads
  otherwise than UTF-8 / Windows-1252 ("charset"); every reading is read.
- PARSE_ERROR: a base64 body that is mostly not base64, a uuencode,
  begin-base64 or yEnc block that cannot be decoded, has no end line, an
  undecodable line or a missing or wrong yEnc size, anything else the parser could
  not take.
- TEXT_LIMIT: more than limits.max_text_chars characters of text.
"""

from gateway.mime.embedded import find_blocks
from gateway.mime.quoted import split_quoted, unflow
from gateway.mime.skeleton import SKELETON_MIN_BYTES, skeleton
from gateway.mime.structure import Shape, scan_structure
from gateway.mime.walker import (
    SEGMENT_CHARS,
    normalise_line_endings,
    parse_message,
    pieces,
    read_message,
)

__all__ = [
    "SEGMENT_CHARS",
    "SKELETON_MIN_BYTES",
    "Shape",
    "find_blocks",
    "normalise_line_endings",
    "parse_message",
    "pieces",
    "read_message",
    "scan_structure",
    "skeleton",
    "split_quoted",
    "unflow",
]
