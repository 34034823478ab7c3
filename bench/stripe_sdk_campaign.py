"""The baseline for bench/applies.sh: a promotion-code campaign done the way a typical setup
script does it, with the official `stripe` Python SDK, one create after another.

Usage: python stripe_sdk_campaign.py --api-base http://127.0.0.1:PORT --count 2000
Prints one JSON line: {"created": N, "failures": N, "seconds": S}.
"""

import argparse
import json
import time

import stripe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--coupon", default="bench_campaign")
    parser.add_argument("--prefix", default="BENCH")
    args = parser.parse_args()

    client = stripe.StripeClient(
        "sk_test_billingctl_bench_sdk_0000",
        base_addresses={"api": args.api_base},
        stripe_version="2026-10-28.endive",
    )
    client.v1.coupons.create(
        params={"id": args.coupon, "percent_off": 20.0, "duration": "once"}
    )
    created = failures = 0
    started = time.monotonic()
    for i in range(args.count):
        try:
            client.v1.promotion_codes.create(
                params={
                    "code": f"{args.prefix}{i:05d}",
                    "promotion": {"type": "coupon", "coupon": args.coupon},
                }
            )
            created += 1
        except stripe.StripeError:
            failures += 1
    seconds = time.monotonic() - started
    print(json.dumps({"created": created, "failures": failures, "seconds": seconds}))


if __name__ == "__main__":
    main()
