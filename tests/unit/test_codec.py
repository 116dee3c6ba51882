from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from events import DecodeError, decode, encode, new_envelope
from events.contracts import (
    CONTRACTS,
    CampaignDetected,
    CaseAction,
    CaseUpdated,
    DialogueSeatsChanged,
    IncidentKind,
    IncidentReported,
    NotificationRequested,
    PipelineProbe,
    RegistrationCancelled,
    RegistrationRequested,
    SelfCheckSubmitted,
    SupportOfferIssued,
    SupportSubject,
)

NOW = datetime(2026, 11, 26, 22, 5, tzinfo=UTC)
SAMPLES = [
    IncidentReported(
        incident_id="i-1",
        case_id="c-1",
        municipality_ags="05315000",
        kind=IncidentKind.THREAT,
        immediate_danger=True,
        reported_at=NOW,
    ),
    CaseUpdated(case_id="c-1", action=CaseAction.ESCALATED, escalation_level=2, at=NOW),
    CampaignDetected(campaign_id="k-1", district="03241", case_count=3, detected_at=NOW),
    RegistrationRequested(registration_id="r-1", dialogue_id="d-1", requested_at=NOW),
    RegistrationCancelled(registration_id="r-1", dialogue_id="d-1", cancelled_at=NOW),
    DialogueSeatsChanged(dialogue_id="d-1", capacity=5, changed_at=NOW),
    SelfCheckSubmitted(
        selfcheck_id="s-1", municipality_ags="09162000", questionnaire_version="2026.1", submitted_at=NOW
    ),
    SupportOfferIssued(
        offer_id="o-1", subject=SupportSubject.CASE, subject_id="c-1", offer_kind="legal_advice"
    ),
    NotificationRequested(notification_id="n-1", recipient_id="a-1", template="case_assigned", urgent=True),
    PipelineProbe(probe_id="p-1", stream="s", sequence=3, sent_at=NOW),
]

REGISTRATION = next(s for s in SAMPLES if isinstance(s, RegistrationRequested))
SELF_CHECK = next(s for s in SAMPLES if isinstance(s, SelfCheckSubmitted))


def test_every_contract_has_a_sample() -> None:
    assert {type(sample) for sample in SAMPLES} == set(CONTRACTS)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.type_name)
def test_round_trip_keeps_everything(event: object) -> None:
    envelope = new_envelope(event, occurred_at=NOW)  # type: ignore[arg-type]
    decoded = decode(encode(envelope))
    assert decoded == envelope
    assert decoded.correlation_id == envelope.event_id


def _document(**changes: object) -> bytes:
    document = json.loads(encode(new_envelope(REGISTRATION, occurred_at=NOW)))
    for name, value in changes.items():
        if value is _DROP:
            del document[name]
        else:
            document[name] = value
    return json.dumps(document).encode()


_DROP = object()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"{not json", "not UTF-8 JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (_document(type="SeatsReleased"), "unknown event type 'SeatsReleased'"),
        (_document(version=2), "version 2 is not supported"),
        (_document(version=True), "version True is not supported"),
        (_document(payload=_DROP), "envelope field(s) missing: payload"),
        (_document(extra="x"), "unknown envelope field(s): extra"),
        (_document(occurred_at="2026-11-26T10:00:00"), "must carry a UTC offset"),
        (_document(key="another-dialogue"), "does not match the payload's dialogue_id"),
        (
            _document(payload={"registration_id": "r-1", "requested_at": NOW.isoformat()}),
            "dialogue_id: Field required",
        ),
        (
            _document(
                payload={
                    "registration_id": "r",
                    "dialogue_id": "d",
                    "requested_at": NOW.isoformat(),
                    "email": "x",
                }
            ),
            "email: Extra inputs are not permitted",
        ),
        (
            _document(payload={"registration_id": 7, "dialogue_id": "d", "requested_at": NOW.isoformat()}),
            "registration_id: Input should be a valid string",
        ),
    ],
)
def test_decode_rejects_with_a_clear_reason(raw: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(raw)
    assert message in str(caught.value)


def test_municipality_code_must_have_eight_digits() -> None:
    document = json.loads(encode(new_envelope(SELF_CHECK, occurred_at=NOW)))
    document["payload"]["municipality_ags"] = "0916"
    document["key"] = "0916"
    with pytest.raises(DecodeError, match="municipality_ags"):
        decode(json.dumps(document).encode())


PERSONAL_DATA_WORDS = (
    "name",
    "email",
    "mail",
    "phone",
    "narrative",
    "address",
    "evidence",
    "text",
    "comment",
)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.type_name)
def test_contracts_carry_no_personal_data_fields(contract: type) -> None:
    for field in contract.model_fields:
        assert not any(word in field for word in PERSONAL_DATA_WORDS), f"{contract.__name__}.{field}"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, r"null value \(a tombstone\)"),
        (b"", "empty value"),
        ("a str, not bytes", "expected bytes, got str"),
        (b"1" * 5000, "not UTF-8 JSON"),  # an int too long for Python's int parser (ValueError)
        (b"[" * 100_000 + b"]" * 100_000, "not"),  # nesting deeper than the parser's recursion limit
        (json.dumps({"id": "x", "type": "PipelineProbe", "version": True}).encode(), "missing"),
    ],
    ids=["tombstone", "empty", "str", "long-int", "deep", "bool-version"],
)
def test_any_input_either_decodes_or_raises_decode_error(raw: object, reason: str) -> None:
    """Whatever arrives on a topic, the codec answers with an envelope or a DecodeError, never with
    another exception that a consumer might not expect (a tombstone once killed the agents)."""
    with pytest.raises(DecodeError, match=reason):
        decode(raw)  # type: ignore[arg-type]


def test_a_version_given_as_true_is_not_version_one() -> None:
    envelope = json.loads(encode(new_envelope(REGISTRATION, occurred_at=NOW)))
    envelope["version"] = True
    with pytest.raises(DecodeError, match="version True is not supported"):
        decode(json.dumps(envelope).encode())


def test_identifiers_are_random_uuid4_and_a_forked_child_draws_its_own() -> None:
    import os
    import uuid

    from events.ids import new_id

    drawn = {new_id() for _ in range(2000)}
    assert len(drawn) == 2000
    assert {uuid.UUID(i).version for i in drawn} == {4}
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: the next identifier it draws
        os.write(writer, new_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(reader, 64).decode() != new_id()  # not the parent's next one
