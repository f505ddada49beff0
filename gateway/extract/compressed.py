"""Tar archives and single compressed files (.gz, .bz2, .xz) inside the archive limits (tarfile, zlib, bz2, lzma).

A compressed file is inflated in chunks, each counted against the
message's expansion budget and ratio, so a gzip bomb stops at the limit
instead of filling the worker's memory. A tar (plain, or the content of a
compressed file) has each regular member read as a file of its own:
"attachment:scans.tar.gz/scans/case.docx".
"""

from __future__ import annotations

import bz2
import io
import lzma
import tarfile
import zlib
from collections.abc import Callable

from gateway.extract import sniff
from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context, Unreadable

_CHUNK = 1 << 16


def read(data: bytes, ctx: Context) -> None:
    fmt = sniff.sniff(data, ctx.filename, ctx.content_type)
    if fmt == sniff.TAR:
        _read_tar(data, ctx)
        return
    _measure(data, fmt, ctx)  # twice the inflating, but a bomb never sits in memory
    inflated = _inflate(data, fmt, ctx)
    inner = ctx.filename.rsplit(".", 1)[0] if "." in ctx.filename else f"{ctx.filename or 'file'}.out"
    if ctx.filename.lower().endswith(".tgz"):
        inner = inner + ".tar"
    if len(inflated) > 262 and inflated[257:262] == b"ustar":
        ctx.artifact("archive", metadata={"format": f"tar+{fmt}"})
        _read_tar(inflated, ctx, counted=True)
        return
    ctx.artifact("archive", metadata={"format": fmt})
    ctx.child(inflated, inner)


def _measure(data: bytes, fmt: str, ctx: Context) -> int:
    """Inflate and count without keeping anything: a bomb is refused before it is held in memory."""
    total = 0

    def take(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)
        if total > ctx.budget.expanded_left:
            raise LimitExceeded(
                "ARCHIVE_LIMIT", f"expands to more than {ctx.limits.max_expanded_bytes} bytes"
            )
        ctx.budget.check_ratio(total, len(data))
        if total % (64 * _CHUNK) < len(chunk):
            ctx.check_time()

    _run(data, fmt, take)
    return total


def _inflate(data: bytes, fmt: str, ctx: Context) -> bytes:
    """The inflated stream, counted against the message's budget as it grows."""
    out = io.BytesIO()  # grows in place and hands its buffer over: no second copy
    total = 0

    def take(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)
        ctx.budget.take_bytes(len(chunk))
        ctx.budget.check_ratio(total, len(data))
        out.write(chunk)
        if total % (64 * _CHUNK) < len(chunk):
            ctx.check_time()

    _run(data, fmt, take)
    return out.getvalue()


def _run(data: bytes, fmt: str, take: Callable[[bytes], None]) -> None:
    try:
        if fmt == sniff.GZIP:
            _inflate_gzip(data, take)
        elif fmt in (sniff.BZIP2, sniff.XZ):
            _inflate_stream(data, bz2.BZ2Decompressor if fmt == sniff.BZIP2 else lzma.LZMADecompressor, take)
        else:
            raise Unreadable("PARSE_ERROR", f"not a compressed file ({fmt})")
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise Unreadable("PARSE_ERROR", f"damaged {fmt} stream ({type(exc).__name__})") from None


def _inflate_gzip(data: bytes, take: Callable[[bytes], None]) -> None:
    src = data
    while src:  # a gzip file may hold several members, one after another
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunk = d.decompress(src, _CHUNK)
        take(chunk)
        while d.unconsumed_tail:
            take(d.decompress(d.unconsumed_tail, _CHUNK))
        take(d.flush(_CHUNK))
        if not d.eof:
            break
        src = d.unused_data.lstrip(b"\x00")


def _inflate_stream(data: bytes, make: Callable[[], object], take: Callable[[bytes], None]) -> None:
    d = make()
    take(d.decompress(data, _CHUNK))  # type: ignore[attr-defined]
    while not d.eof and not d.needs_input:  # type: ignore[attr-defined]
        take(d.decompress(b"", _CHUNK))  # type: ignore[attr-defined]


def _read_tar(data: bytes, ctx: Context, *, counted: bool = False) -> None:
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:")  # noqa: SIM115 - closed by `with` below
    except tarfile.TarError as exc:
        raise Unreadable("PARSE_ERROR", f"damaged tar archive ({type(exc).__name__})") from None
    if not counted:
        ctx.artifact("archive", metadata={"format": "tar"})
    with tf:
        for member in tf:
            ctx.check_time()
            ctx.budget.take_entry()
            if not member.isfile():
                continue
            if member.size > ctx.budget.expanded_left:
                raise LimitExceeded("ARCHIVE_LIMIT", "a tar member is larger than the expansion limit")
            f = tf.extractfile(member)
            if f is None:
                continue
            content = f.read(member.size)
            if not counted:  # a plain tar holds its members' bytes already: count them once
                ctx.budget.take_bytes(len(content))
            ctx.child(content, member.name)
