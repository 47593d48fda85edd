"""Object ids the engines accept: an injective, reversible encoding of beacon_org ids."""

from __future__ import annotations

import re
import string

from .._errors import InvalidValueError

__all__ = ["MAX_ID_LENGTH", "decode_spicedb_id", "spicedb_id"]

#: SpiceDB refuses object ids longer than this (after encoding).
MAX_ID_LENGTH = 1024

_PLAIN = frozenset(string.ascii_letters + string.digits + "_-")
_HEX = frozenset("0123456789ABCDEF")
# Most ids need no escape: one regex match instead of a look-up per character.
_ALL_PLAIN = re.compile(rf"[A-Za-z0-9_\-]{{1,{MAX_ID_LENGTH}}}").fullmatch


def spicedb_id(id: str) -> str:
    """Return ``id`` encoded as an object id that SpiceDB (and OpenFGA) accept.

    Letters, digits, ``_`` and ``-`` stand for themselves; every other character becomes ``=``
    followed by two upper-case hex digits per byte of its UTF-8 encoding (``@`` is ``=40``, ``=``
    itself is ``=3D``). The result matches ``[a-zA-Z0-9_\\-=]+``, a subset of what SpiceDB allows
    (``[a-zA-Z0-9/_|\\-=+]+``), so distinct ids always give distinct object ids, and
    :func:`decode_spicedb_id` turns one back into the id.

    Parameters
    ----------
    id : str
        A user, region, case, item or facility id, or :data:`beacon_org.ORG_CUSTODY`.

    Returns
    -------
    str
        The encoded id; ids made of letters, digits, ``_`` and ``-`` come back unchanged.

    Raises
    ------
    beacon_org.InvalidValueError
        If ``id`` is not a non-empty string, or its encoding is longer than SpiceDB's
        :data:`MAX_ID_LENGTH` (1,024 characters).

    Examples
    --------
    >>> from beacon_org.export import spicedb_id
    >>> spicedb_id("rep-a1"), spicedb_id(bo.ORG_CUSTODY), spicedb_id("ann.lee@x.com")
    ('rep-a1', '=40org', 'ann=2Elee=40x=2Ecom')
    """
    if isinstance(id, str) and _ALL_PLAIN(id):
        return id
    if not isinstance(id, str) or not id:
        msg = f"an id to encode for SpiceDB must be a non-empty string (got {id!r})"
        raise InvalidValueError(msg, field="id", value=id)
    encoded = "".join(
        ch
        if ch in _PLAIN
        else "".join(f"={byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))
        for ch in id
    )
    if len(encoded) > MAX_ID_LENGTH:
        msg = (
            f"id {id[:40]!r}... encodes to {len(encoded)} characters; SpiceDB accepts at most "
            f"{MAX_ID_LENGTH}"
        )
        raise InvalidValueError(msg, field="id", value=id)
    return encoded


def decode_spicedb_id(encoded: str) -> str:
    """Return the id that :func:`spicedb_id` encoded as ``encoded``.

    Raises
    ------
    beacon_org.InvalidValueError
        If ``encoded`` is not an output of :func:`spicedb_id` (a stray character, a short or
        lower-case escape, an escaped letter or digit, or bytes that are not UTF-8).

    Examples
    --------
    >>> from beacon_org.export import decode_spicedb_id
    >>> decode_spicedb_id("=40org") == bo.ORG_CUSTODY
    True
    >>> decode_spicedb_id("ann=2Elee=40x=2Ecom")
    'ann.lee@x.com'
    """
    if not isinstance(encoded, str) or not encoded:
        msg = f"an encoded SpiceDB id must be a non-empty string (got {encoded!r})"
        raise InvalidValueError(msg, field="id", value=encoded)
    out = bytearray()
    i = 0
    while i < len(encoded):
        ch = encoded[i]
        if ch in _PLAIN:
            out += ch.encode()
            i += 1
            continue
        pair = encoded[i + 1 : i + 3]
        if ch != "=" or len(pair) != 2 or not _HEX.issuperset(pair):
            msg = f"{encoded!r} is not an encoded id: bad escape at position {i}"
            raise InvalidValueError(msg, field="id", value=encoded)
        byte = int(pair, 16)
        if chr(byte) in _PLAIN:
            msg = f"{encoded!r} is not an encoded id: {chr(byte)!r} is escaped at position {i}"
            raise InvalidValueError(msg, field="id", value=encoded)
        out.append(byte)
        i += 3
    try:
        return out.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        msg = f"{encoded!r} is not an encoded id: its escapes are not UTF-8"
        raise InvalidValueError(msg, field="id", value=encoded) from None
