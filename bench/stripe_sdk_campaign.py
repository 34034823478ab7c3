"""The baseline for the apply benchmarks: a promotion-code campaign done the way a typical setup
script does it, with the official `stripe` Python SDK: one create after another
(`--threads 1`), or a thread pool of creates (`--threads 16`, what the issue compared with).

The SDK does not pace: its threads send as fast as the round trip allows, and a 429 is retried
by the SDK's own `max_network_retries` only where Stripe-Should-Retry says so. Whatever still
fails is counted, not hidden.

Usage: python stripe_sdk_campaign.py --api-base http://127.0.0.1:PORT --count 2000 [--threads 16]
Prints one JSON line: {"created": N, "failures": N, "seconds": S}.
"""

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

import stripe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--key", default="sk_test_billingctl_bench_sdk_0000")
    parser.add_argument("--coupon", default="bench_campaign")
    parser.add_argument("--prefix", default="BENCH")
    args = parser.parse_args()

    client = stripe.StripeClient(
        args.key,
        base_addresses={"api": args.api_base},
        stripe_version="2026-10-28.endive",
        max_network_retries=2,
    )
    client.v1.coupons.create(
        params={"id": args.coupon, "percent_off": 20.0, "duration": "once"}
    )

    def create(i: int) -> bool:
        try:
            client.v1.promotion_codes.create(
                params={
                    "code": f"{args.prefix}{i:05d}",
                    "promotion": {"type": "coupon", "coupon": args.coupon},
                }
            )
            return True
        except stripe.StripeError:
            return False

    started = time.monotonic()
    if args.threads <= 1:
        results = [create(i) for i in range(args.count)]
    else:
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            results = list(pool.map(create, range(args.count)))
    seconds = time.monotonic() - started
    created = sum(results)
    print(
        json.dumps(
            {"created": created, "failures": len(results) - created, "seconds": seconds}
        )
    )


if __name__ == "__main__":
    main()
