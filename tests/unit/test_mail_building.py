"""A built mail as a receiver reads it: text and HTML alternatives, attachments beside them, German
names and subjects intact, the address never inside an encoded word, lines short enough for SMTP."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

from notifications.attachments import Attachment
from notifications.channels import Mail, build_email
from notifications.mime import words
from notifications.rendering import Rendered

SENT = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
SUBJECT = "Anmeldung bestätigt: Bürgerdialog „Zukunft“ & Zusammenhalt in Groß-Gerau, Ortsteil Dornheim, Saal"
TEXT = "Guten Tag Jürgen Weiß,\n\nIhr Platz ist sicher. " + "Straße " * 40 + "\n= kein Kodierfehler =\n"
GERMAN_SENDER = "Gemeinde Großenlüder <noreply@weltoffen.example>"
HTML = "<p>Guten Tag Jürgen Weiß,</p><p>Ihr Platz ist sicher.</p>"


def rendered(
    subject: str, text: str, html: str, locale: str, attachments: tuple[Attachment, ...] = ()
) -> Rendered:
    return Rendered(locale, subject, text, html, "", {}, subject, text, attachments)


def received(message: Rendered, sender: str = GERMAN_SENDER) -> EmailMessage:
    built = build_email(Mail(sender, "juergen@example.org", "<n-1@weltoffen.example>", SENT), message)
    assert (built.sender, built.recipient) == (parseaddr(sender)[1], "juergen@example.org")
    raw = bytes(built)
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))  # RFC 5322's hard limit
    assert raw.isascii()  # 7-bit clean: no server on the way needs 8BITMIME for it
    assert not built.smtputf8
    # as a receiver stores it: with its own line ends
    mail = message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def test_a_mail_without_attachments_is_text_and_html_alternatives() -> None:
    mail = received(rendered(SUBJECT, TEXT, HTML, "de"))
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"] == SUBJECT
    assert mail["From"].addresses[0].display_name == "Gemeinde Großenlüder"
    assert mail["From"].addresses[0].addr_spec == "noreply@weltoffen.example"
    assert mail["To"].addresses[0].addr_spec == "juergen@example.org"
    assert mail["Message-ID"] == "<n-1@weltoffen.example>"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Content-Language"] == "de"
    assert mail["Date"].datetime == SENT
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == TEXT and html.get_content().strip() == HTML
    assert plain.get_content_charset() == "utf-8"
    assert list(mail.iter_attachments()) == []


def test_attachments_go_beside_the_alternatives_with_their_parameters() -> None:
    invite = Attachment(
        "einladung.ics", "text/calendar; method=PUBLISH; charset=utf-8", "SUMMARY:Bürger\r\n".encode()
    )
    mail = received(rendered("Invite", "Hello", "<p>Hello</p>", "en", (invite,)))
    assert mail.get_content_type() == "multipart/mixed"
    assert [part.get_content_type() for part in mail.iter_parts()] == [
        "multipart/alternative",
        "text/calendar",
    ]
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "einladung.ics"
    assert part.get_param("method") == "PUBLISH" and part.get_param("charset") == "utf-8"
    assert part.get_content() == "SUMMARY:Bürger\r\n"
    body = mail.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "Hello"


def test_an_ascii_sender_and_a_bare_address_stay_as_they_are() -> None:
    mail = received(rendered("Hello", "Hi", "<p>Hi</p>", "en"), "noreply@weltoffen.example")
    assert mail["From"] == "noreply@weltoffen.example" and mail["Subject"] == "Hello"


def test_an_address_that_is_not_ascii_is_written_as_it_is_for_smtputf8() -> None:
    """ayşe@… cannot go as an RFC 2047 word (that would break the address): the mail is built for
    SMTPUTF8, which smtplib asks the server for when it sees such an address."""
    built = build_email(
        Mail(GERMAN_SENDER, "ayşe@örnek.example", "<n-2@weltoffen.example>", SENT),
        rendered(SUBJECT, TEXT, HTML, "de"),
    )
    assert built.smtputf8 and built.recipient == "ayşe@örnek.example"
    assert "To: ayşe@örnek.example\r\n".encode() in built.data
    mail = message_from_bytes(built.data.replace(b"\r\n", b"\n"), policy=policy.default)
    assert mail["Subject"] == SUBJECT and mail.get_content_type() == "multipart/alternative"


def test_a_line_break_in_a_subject_cannot_add_a_header() -> None:
    """A dialogue's title goes into the subject; a line break in it must neither start a header nor
    keep the mail from being built (the email package refuses such a value)."""
    mail = received(rendered("Dialog\r\nBcc: everyone@example.org\nX-Evil: 1", "Hi", "<p>Hi</p>", "de"))
    assert mail["Bcc"] is None and mail["X-Evil"] is None
    assert mail["Subject"] == "Dialog Bcc: everyone@example.org X-Evil: 1"
    umlauts = received(rendered("Bürgerdialog\nBcc: everyone@example.org", "Hi", "<p>Hi</p>", "de"))
    assert umlauts["Bcc"] is None and umlauts["Subject"] == "Bürgerdialog Bcc: everyone@example.org"


def test_long_headers_are_folded_and_read_back_whole() -> None:
    ascii_subject = "Registration confirmed: " + "citizens dialogue on the future of the town " * 3
    name = "Verbandsgemeinde Südliche Weinstraße Bürgerbüro für Öffentlichkeit und Zusammenhalt"
    sender = f"{name} <noreply@weltoffen.example>"
    mail = received(rendered(ascii_subject, TEXT, HTML, "en"), sender)
    assert mail["Subject"] == ascii_subject
    assert mail["From"].addresses[0].display_name == name
    assert mail["From"].addresses[0].addr_spec == "noreply@weltoffen.example"


def test_an_attachment_name_that_is_not_ascii_arrives_whole() -> None:
    leaflet = Attachment("Wegbeschreibung Bürgerhaus.txt", "text/plain; charset=utf-8", b"Gehweg\r\n")
    mail = received(rendered("Hallo", "Hallo", "<p>Hallo</p>", "de", (leaflet,)))
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "Wegbeschreibung Bürgerhaus.txt"
    assert part.get_content() == "Gehweg\r\n"


def test_a_mail_reads_the_same_with_the_line_ends_it_is_sent_with() -> None:
    """SMTP carries CRLF; a client reading the raw message must find the same text."""
    built = build_email(
        Mail(GERMAN_SENDER, "a@example.org", "<n-3@weltoffen.example>", SENT),
        rendered(SUBJECT, TEXT, HTML, "de"),
    )
    mail = message_from_bytes(built.data, policy=policy.default)
    plain = mail.get_body(("plain",))
    assert plain is not None and plain.get_content().replace("\r\n", "\n") == TEXT
    assert mail["Subject"] == SUBJECT


def test_a_long_subject_of_wide_characters_goes_as_short_words_of_whole_characters() -> None:
    subject = "Einladung 🎉 Bürgerdialog „Zukunft“ " * 6
    folded = words(subject)
    encoded = folded.split("\r\n ")
    assert len(encoded) > 1 and all(len(word) <= 75 for word in encoded)  # RFC 2047's limit
    assert all(base64.b64decode(word[10:-2]).decode() for word in encoded)  # no character cut in two
    mail = received(rendered(subject, "Hallo", "<p>Hallo</p>", "de"))
    assert mail["Subject"] == subject
