"""Which webhook targets are refused: every internal range, after resolution, with an allow-list."""

from __future__ import annotations

import pytest

from notifications.webhook_targets import UnsafeWebhook, WebhookPolicy, is_public


def resolving_to(*addresses: str) -> WebhookPolicy:
    return WebhookPolicy(https_only=True, resolve=lambda host, port: list(addresses))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)  # fmt: skip
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)
    with pytest.raises(UnsafeWebhook, match="internal network"):
        resolving_to(address).check("https://hooks.example.org/x")


def test_a_name_is_refused_if_any_of_its_addresses_is_internal() -> None:
    with pytest.raises(UnsafeWebhook):
        resolving_to("93.184.216.34", "10.0.0.1").check("https://hooks.example.org/x")
    resolving_to("93.184.216.34", "2606:2800:220:1::1").check("https://hooks.example.org/x")


def test_https_credentials_and_resolution_are_required() -> None:
    with pytest.raises(UnsafeWebhook, match="https"):
        resolving_to("93.184.216.34").check("http://hooks.example.org/x")
    with pytest.raises(UnsafeWebhook, match="user name or password"):
        resolving_to("93.184.216.34").check("https://user:pw@hooks.example.org/x")
    with pytest.raises(UnsafeWebhook, match="cannot be found"):
        resolving_to().check("https://nowhere.invalid/x")
    WebhookPolicy(https_only=False, resolve=lambda h, p: ["93.184.216.34"]).check(
        "http://hooks.example.org/x"
    )


def test_an_allow_listed_internal_receiver_is_accepted_and_nothing_else() -> None:
    policy = WebhookPolicy.of(https_only=False, allowed_hosts=" 127.0.0.1 , Hooks.Intern ")
    policy.check("http://127.0.0.1:8080/hook")
    policy.check("http://hooks.intern/x")
    with pytest.raises(UnsafeWebhook):
        policy.check("http://localhost:8080/hook")  # resolves to loopback, and is not on the list
