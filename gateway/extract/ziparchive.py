"""ZIP archives: every member read as a file of its own, inside the message's archive limits (zipfile).

Checked before anything is inflated, from the central directory: the
number of members, the declared expanded size against what is left of the
message's budget, and the expansion ratio. Checked again while reading,
chunk by chunk, because declared sizes can lie in ways a library does not
always catch (quoted-overlap bombs on older Pythons). Python 3.13's
zipfile also refuses overlapping members; that refusal is reported as a
bomb too.

Encrypted members (general-purpose flag bit 0: ZipCrypto and WinZip AES
alike) cannot be read: the archive gets one `ENCRYPTED_ARCHIVE` finding
naming how many members are locked, and the rest are still read.
Locations: "attachment:notes.zip/case.docx", nested archives append.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context, Unreadable

_CHUNK = 1 << 16


def read(data: bytes, ctx: Context) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError) as exc:
        raise Unreadable("PARSE_ERROR", f"damaged ZIP archive ({type(exc).__name__})") from None
    locked = [i for i in infos if i.flag_bits & 0x1]
    ctx.artifact(
        "archive",
        metadata={"format": "zip", "entries": len(infos), "encrypted_entries": len(locked)},
    )
    if len(infos) > ctx.limits.max_archive_entries:
        raise LimitExceeded("ARCHIVE_LIMIT", f"more than {ctx.limits.max_archive_entries} entries")
    declared = sum(i.file_size for i in infos if not i.flag_bits & 0x1)
    ctx.budget.check_ratio(declared, len(data))
    if declared > ctx.budget.expanded_left:
        raise LimitExceeded(
            "ARCHIVE_LIMIT", f"declares more than {ctx.limits.max_expanded_bytes} bytes when expanded"
        )
    for info in locked:  # an encrypted member's name is still readable, and read
        ctx.file_name(info.filename, where=f"{ctx.where}/{info.filename}")
    if locked:
        ctx.uninspectable(
            "ENCRYPTED_ARCHIVE", f"{len(locked)} of {len(infos)} entries are encrypted with a password"
        )
    expanded = 0
    for info in infos:
        ctx.check_time()
        ctx.budget.take_entry()
        if info.flag_bits & 0x1:
            continue
        content = _member(zf, info, ctx, len(data), expanded)
        if content is None:
            continue
        expanded += len(content)
        ctx.child(content, info.filename)


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: Context, size: int, before: int) -> bytes | None:
    """One member's bytes, counted against the budget as they inflate."""
    out = io.BytesIO()  # grows in place and hands its buffer over: no second copy of the member
    got = 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                got += len(chunk)
                ctx.budget.take_bytes(len(chunk))
                ctx.budget.check_ratio(before + got, size)
                if got > info.file_size:
                    raise LimitExceeded("ARCHIVE_LIMIT", "an entry expands beyond its declared size")
                out.write(chunk)
                if got % (64 * _CHUNK) < len(chunk):
                    ctx.check_time()
    except zipfile.BadZipFile as exc:
        if "overlap" in str(exc).lower():
            raise LimitExceeded("ARCHIVE_LIMIT", "overlapping entries (a zip bomb)") from None
        ctx.uninspectable("PARSE_ERROR", "damaged archive entry", where=f"{ctx.where}/{info.filename}")
        return None
    except NotImplementedError:
        ctx.uninspectable(
            "UNSUPPORTED_ARCHIVE",
            f"compression method {info.compress_type} is not supported",
            where=f"{ctx.where}/{info.filename}",
        )
        return None
    except (EOFError, ValueError, OSError, zlib.error) as exc:
        ctx.uninspectable(
            "PARSE_ERROR",
            f"damaged archive entry ({type(exc).__name__})",
            where=f"{ctx.where}/{info.filename}",
        )
        return None
    return out.getvalue()
