"""ESMTP parameters: what is accepted from Postfix, what goes on to the next hop, XFORWARD."""

from __future__ import annotations

import pytest

from gateway.relay.params import (
    MAIL_EXTRA,
    MailParams,
    ParamError,
    RcptParams,
    parse_xforward,
    take_params,
    xforward_args,
    xtext_decode,
    xtext_encode,
)

ALL = {"size", "8bitmime", "smtputf8", "dsn"}


@pytest.mark.parametrize(
    ("options", "extensions", "sent"),
    [
        (["SIZE=1234", "BODY=8BITMIME"], ALL, ["SIZE=1234", "BODY=8BITMIME"]),
        (["SIZE=1234", "BODY=8BITMIME"], set(), []),
        (["SMTPUTF8"], ALL, ["SMTPUTF8"]),
        (["SMTPUTF8"], {"dsn"}, []),
        (["RET=hdrs", "ENVID=Ab+2Bc"], ALL, ["RET=HDRS", "ENVID=Ab+2Bc"]),
        (["RET=FULL", "ENVID=x"], {"size"}, []),
    ],
)
def test_mail_parameters_go_on_only_when_the_next_hop_announces_them(
    options: list[str], extensions: set[str], sent: list[str]
) -> None:
    """SIZE/BODY/SMTPUTF8/RET/ENVID are passed on for the extensions the next hop offers, ENVID's case kept."""
    assert MailParams.parse(options).for_next_hop(extensions) == sent


@pytest.mark.parametrize("bad", ["RET=ALL", "ENVID=", "ENVID=has space"])
def test_bad_mail_dsn_parameters_are_refused(bad: str) -> None:
    """Malformed RET/ENVID become a 501 reply, not something passed on."""
    with pytest.raises(ParamError, match=r"^501 5\.5\.4"):
        MailParams.parse([bad])


@pytest.mark.parametrize(
    ("options", "sent"),
    [
        (["NOTIFY=never"], ["NOTIFY=NEVER"]),
        (
            ["NOTIFY=SUCCESS,DELAY", "ORCPT=rfc822;Bob@Example.org"],
            ["NOTIFY=SUCCESS,DELAY", "ORCPT=rfc822;Bob@Example.org"],
        ),
    ],
)
def test_rcpt_dsn_parameters(options: list[str], sent: list[str]) -> None:
    """NOTIFY is normalised, ORCPT kept exactly; both go on to a DSN next hop and are dropped otherwise."""
    params = RcptParams.parse(options)
    assert params.for_next_hop({"dsn"}) == sent
    assert params.for_next_hop({"size"}) == []


@pytest.mark.parametrize(
    "bad", ["NOTIFY=NEVER,SUCCESS", "NOTIFY=SOMETIMES", "ORCPT=Bob@Example.org", "ORCPT=;x"]
)
def test_bad_rcpt_dsn_parameters_are_refused(bad: str) -> None:
    """NEVER cannot be combined, NOTIFY values are a fixed set, ORCPT needs a type."""
    with pytest.raises(ParamError):
        RcptParams.parse([bad])


def test_take_params_keeps_case_and_order() -> None:
    """DSN parameters are taken out with their case; the others stay for aiosmtpd, in order."""
    kept, taken = take_params(" SIZE=10 ret=HDRS BODY=8BITMIME ENVID=Qx+2B AUTH=<>", MAIL_EXTRA)
    assert kept == ["SIZE=10", "BODY=8BITMIME"]
    assert taken == ["ret=HDRS", "ENVID=Qx+2B", "AUTH=<>"]


def test_xforward_parsing_and_forwarding() -> None:
    """XFORWARD attributes are xtext-decoded, and only those the next hop announced are sent on, re-encoded."""
    attrs = parse_xforward("NAME=pc1.example.ac.uk ADDR=192.0.2.7 helo=a+20b IDENT=4Qm9Zx1AbC")
    assert attrs == {"NAME": "pc1.example.ac.uk", "ADDR": "192.0.2.7", "HELO": "a b", "IDENT": "4Qm9Zx1AbC"}
    assert xforward_args(attrs, ["ADDR", "HELO"]) == ["ADDR=192.0.2.7", "HELO=a+20b"]


@pytest.mark.parametrize("bad", ["", "NAME", "COLOUR=blue"])
def test_bad_xforward_is_refused(bad: str) -> None:
    """Unknown attributes or missing values are a 501."""
    with pytest.raises(ParamError):
        parse_xforward(bad)


@pytest.mark.parametrize("text", ["plain", "a b", "x+y=z", "tab\there"])
def test_xtext_round_trip(text: str) -> None:
    """xtext encoding escapes '+', '=', spaces and controls, and decodes back."""
    encoded = xtext_encode(text)
    assert " " not in encoded and "=" not in encoded
    assert xtext_decode(encoded) == text
