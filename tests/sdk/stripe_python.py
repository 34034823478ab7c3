"""The official Python SDK (stripe-python, pinned in .ci/run) against the emulator.

Run by tests/it/sdk.rs as `python3 tests/sdk/stripe_python.py BASE_URL`: for every object kind
billingctl manages, the SDK's create, retrieve, update and list calls must succeed, and one
call Stripe refuses must fail with the error class, code and param Stripe gives. Prints
`ok <kind>` per kind; any failure raises (non-zero exit).
"""

import sys

import stripe


def product(client):
    created = client.v1.products.create({"id": "sdk_basic", "name": "Basic"})
    assert created.id == "sdk_basic" and created.object == "product", created
    updated = client.v1.products.update("sdk_basic", {"name": "Basic plan", "metadata": {"tier": "1"}})
    assert updated.name == "Basic plan" and updated.metadata["tier"] == "1", updated
    assert client.v1.products.retrieve("sdk_basic").name == "Basic plan"
    assert any(p.id == "sdk_basic" for p in client.v1.products.list({"limit": 100}).auto_paging_iter())
    refused(lambda: client.v1.products.create({"id": "sdk_basic", "name": "Again"}), "resource_already_exists", "id")


def price(client):
    created = client.v1.prices.create({
        "product": "sdk_basic", "currency": "eur", "unit_amount": 900,
        "recurring": {"interval": "month"}, "lookup_key": "sdk_basic_monthly",
        "expand": ["currency_options"],
    })
    assert created.id.startswith("price_") and created.recurring.interval_count == 1, created
    updated = client.v1.prices.update(created.id, {"nickname": "Monthly", "active": False})
    assert updated.nickname == "Monthly" and updated.active is False, updated
    listed = client.v1.prices.list({"lookup_keys": ["sdk_basic_monthly"], "active": False})
    assert [p.id for p in listed.data] == [created.id], listed
    refused(lambda: client.v1.prices.update(created.id, {"unit_amount": 1000}), None, "unit_amount")


def meter(client):
    created = client.v1.billing.meters.create({
        "event_name": "sdk_requests", "display_name": "Requests",
        "default_aggregation": {"formula": "sum"},
        "customer_mapping": {"event_payload_key": "stripe_customer_id", "type": "by_id"},
    })
    assert created.id.startswith("mtr_") and created.status == "active", created
    updated = client.v1.billing.meters.update(created.id, {"display_name": "API requests"})
    assert updated.display_name == "API requests", updated
    assert client.v1.billing.meters.retrieve(created.id).display_name == "API requests"
    off = client.v1.billing.meters.deactivate(created.id)
    assert off.status == "inactive" and off.status_transitions.deactivated_at, off
    listed = client.v1.billing.meters.list({"status": "inactive"})
    assert [m.id for m in listed.data] == [created.id], listed
    on = client.v1.billing.meters.reactivate(created.id)
    assert on.status == "active", on
    refused(lambda: client.v1.billing.meters.create({
        "event_name": "sdk_requests", "display_name": "Again", "default_aggregation": {"formula": "count"},
    }), "resource_already_exists", "event_name")


def coupon(client):
    created = client.v1.coupons.create({"id": "sdk_launch", "percent_off": 30.0, "duration": "once"})
    assert created.valid and created.percent_off == 30.0, created
    updated = client.v1.coupons.update("sdk_launch", {"name": "Launch"})
    assert updated.name == "Launch", updated
    assert any(c.id == "sdk_launch" for c in client.v1.coupons.list().auto_paging_iter())
    refused(lambda: client.v1.coupons.create({"id": "sdk_bad", "duration": "once"}), None, None)


def promotion_code(client):
    created = client.v1.promotion_codes.create({
        "promotion": {"type": "coupon", "coupon": "sdk_launch"}, "code": "SDKLAUNCH",
    })
    assert created.code == "SDKLAUNCH" and created.promotion.coupon == "sdk_launch", created
    updated = client.v1.promotion_codes.update(created.id, {"metadata": {"campaign": "sdk"}})
    assert updated.metadata["campaign"] == "sdk", updated
    listed = client.v1.promotion_codes.list({"code": "SDKLAUNCH"})
    assert [p.id for p in listed.data] == [created.id], listed
    refused(lambda: client.v1.promotion_codes.create({
        "promotion": {"type": "coupon", "coupon": "sdk_launch"}, "code": "sdklaunch",
    }), None, "code")


def portal_configuration(client):
    created = client.v1.billing_portal.configurations.create({
        "features": {"invoice_history": {"enabled": True}},
        "metadata": {"billingctl_key": "sdk"},
    })
    assert created.id.startswith("bpc_") and created.features.invoice_history.enabled, created
    updated = client.v1.billing_portal.configurations.update(created.id, {"name": "SDK portal"})
    assert updated.name == "SDK portal", updated
    assert any(c.id == created.id for c in client.v1.billing_portal.configurations.list().auto_paging_iter())
    refused(lambda: client.v1.billing_portal.configurations.create({"features": {"no_such_feature": {}}}), None, None)


def webhook_endpoint(client):
    created = client.v1.webhook_endpoints.create({
        "url": "https://sdk.example/hooks", "enabled_events": ["invoice.paid", "*"],
        "metadata": {"billingctl_key": "sdk"},
    })
    assert created.id.startswith("we_") and created.secret.startswith("whsec_"), created.id
    assert created.status == "enabled", created.status
    updated = client.v1.webhook_endpoints.update(created.id, {"disabled": True, "url": "https://sdk.example/v2"})
    assert updated.status == "disabled" and updated.url == "https://sdk.example/v2", updated
    assert "secret" not in updated, "the secret is in the create response only"
    listed = [e for e in client.v1.webhook_endpoints.list().auto_paging_iter() if e.id == created.id]
    assert len(listed) == 1 and "secret" not in listed[0], listed
    refused(lambda: client.v1.webhook_endpoints.create({
        "url": "https://sdk.example/hooks", "enabled_events": ["invoice.payed"],
    }), None, "enabled_events[0]")


def tax_rate(client):
    created = client.v1.tax_rates.create({
        "display_name": "VAT", "percentage": 19.0, "inclusive": False, "country": "DE",
        "tax_type": "vat", "metadata": {"billingctl_key": "sdk_vat"},
    })
    assert created.id.startswith("txr_") and created.percentage == 19 and not created.inclusive, created
    updated = client.v1.tax_rates.update(created.id, {"description": "VAT Germany", "active": False})
    assert updated.description == "VAT Germany" and updated.active is False, updated
    inactive = client.v1.tax_rates.list({"active": False, "inclusive": False})
    assert [t.id for t in inactive.data] == [created.id], inactive
    assert client.v1.tax_rates.list({"inclusive": True}).data == []
    refused(lambda: client.v1.tax_rates.update(created.id, {"percentage": 20}), None, "percentage")


def shipping_rate(client):
    created = client.v1.shipping_rates.create({
        "display_name": "Express", "type": "fixed_amount",
        "fixed_amount": {"amount": 1500, "currency": "EUR", "currency_options": {"usd": {"amount": 1650}}},
        "delivery_estimate": {"minimum": {"unit": "business_day", "value": 1},
                              "maximum": {"unit": "business_day", "value": 2}},
        "metadata": {"billingctl_key": "sdk_express"},
    })
    assert created.id.startswith("shr_") and created.fixed_amount.currency == "eur", created
    assert created.tax_behavior == "unspecified" and created.active, created
    updated = client.v1.shipping_rates.update(created.id, {
        "fixed_amount": {"currency_options": {"usd": {"amount": 1700}}}, "tax_behavior": "exclusive",
    })
    assert updated.fixed_amount.currency_options["usd"].amount == 1700, updated
    assert updated.tax_behavior == "exclusive", updated
    assert [r.id for r in client.v1.shipping_rates.list({"currency": "eur"}).data] == [created.id]
    assert client.v1.shipping_rates.list({"currency": "usd"}).data == []
    refused(lambda: client.v1.shipping_rates.update(created.id, {"display_name": "Faster"}), None, "display_name")
    refused(lambda: client.v1.shipping_rates.create({
        "display_name": "Free", "fixed_amount": {"amount": -1, "currency": "eur"},
    }), None, "fixed_amount[amount]")


def feature(client):
    created = client.v1.entitlements.features.create({"lookup_key": "sdk_api", "name": "API access"})
    assert created.id.startswith("feat_") and created.active and created.object == "entitlements.feature", created
    updated = client.v1.entitlements.features.update(created.id, {"name": "API", "metadata": {"tier": "1"}})
    assert updated.name == "API" and updated.metadata["tier"] == "1", updated
    listed = client.v1.entitlements.features.list({"lookup_key": "sdk_api"})
    assert [f.id for f in listed.data] == [created.id], listed
    archived = client.v1.entitlements.features.update(created.id, {"active": False})
    assert archived.active is False, archived
    assert client.v1.entitlements.features.list({"lookup_key": "sdk_api"}).data == []
    listed = client.v1.entitlements.features.list({"archived": True})
    assert [f.id for f in listed.data] == [created.id], listed
    client.v1.entitlements.features.create({"lookup_key": "sdk_reports", "name": "Reports"})
    refused(lambda: client.v1.entitlements.features.create({"lookup_key": "sdk_reports", "name": "Again"}),
            "resource_already_exists", "lookup_key")


def product_feature(client):
    feature = client.v1.entitlements.features.create({"lookup_key": "sdk_sso", "name": "SSO"})
    attached = client.v1.products.features.create("sdk_basic", {"entitlement_feature": feature.id})
    assert attached.id.startswith("prodft_") and attached.object == "product_feature", attached
    assert attached.entitlement_feature.lookup_key == "sdk_sso", attached
    listed = client.v1.products.features.list("sdk_basic")
    assert [a.id for a in listed.data] == [attached.id], listed
    refused(lambda: client.v1.products.features.create("sdk_basic", {"entitlement_feature": feature.id}),
            "resource_already_exists", "entitlement_feature")
    deleted = client.v1.products.features.delete("sdk_basic", attached.id)
    assert deleted.deleted and deleted.id == attached.id, deleted
    assert client.v1.products.features.list("sdk_basic").data == []


def refused(call, code, param):
    """`call` must fail as Stripe fails: an InvalidRequestError with this code and param."""
    try:
        call()
    except stripe.InvalidRequestError as error:
        assert code is None or error.code == code, (error.code, error)
        assert param is None or error.param == param, (error.param, error)
        return
    raise AssertionError("Stripe refuses this call; the emulator accepted it")


KINDS = {
    "product": product,
    "meter": meter,
    "price": price,
    "coupon": coupon,
    "promotion_code": promotion_code,
    "portal_configuration": portal_configuration,
    "webhook_endpoint": webhook_endpoint,
    "tax_rate": tax_rate,
    "shipping_rate": shipping_rate,
    "feature": feature,
    "product_feature": product_feature,
}


def main():
    base = sys.argv[1]
    client = stripe.StripeClient("sk_test_sdk", base_addresses={"api": base}, max_network_retries=0)
    for name, exercise in KINDS.items():
        exercise(client)
        print(f"ok {name}", flush=True)


if __name__ == "__main__":
    main()
