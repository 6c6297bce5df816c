"""Publishes invoice.paid events to the mesh with confluent-kafka.

The mesh's Kafka wire format is CloudEvents binary content mode: the invoice as the JSON value,
the attributes as ce_* headers, keyed "<tenantId>/<invoiceId>" so one invoice's events stay in
order, with ce_entityversion (1 for a new invoice, +1 per change) for the gateway's version guard.

    python publish.py --brokers 127.0.0.1:19092 --tenant acme --id inv-1 \
        --customer "Ada Lovelace" --memo "Analytical engine, annual plan" --amount 4200
"""

import argparse
import json
import sys
import uuid
from datetime import datetime, timezone

from confluent_kafka import Producer


def headers(tenant: str, version: int) -> list[tuple[str, bytes]]:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    attributes = {
        "ce_specversion": "1.0",
        "ce_id": str(uuid.uuid4()),
        "ce_source": "urn:python-invoices",
        "ce_type": "invoice.paid",
        "ce_time": now,
        "ce_tenantid": tenant,
        "ce_entityversion": str(version),
        "content-type": "application/json",
    }
    return [(key, value.encode()) for key, value in attributes.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", default="127.0.0.1:19092")
    parser.add_argument("--topic-prefix", default="", help="the mesh's TOPIC_PREFIX")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--customer", required=True)
    parser.add_argument("--memo", default="")
    parser.add_argument("--status", default="paid")
    parser.add_argument("--amount", type=int, required=True, help="amount paid, in cents")
    parser.add_argument("--version", type=int, default=1, help="entity version")
    args = parser.parse_args()

    invoice = {
        "id": args.id,
        "tenantId": args.tenant,
        "customer": args.customer,
        "memo": args.memo,
        "status": args.status,
        "amountCents": args.amount,
    }
    failures: list[str] = []

    def delivered(error, _message) -> None:
        if error is not None:
            failures.append(str(error))

    producer = Producer({"bootstrap.servers": args.brokers, "acks": "all"})
    producer.produce(
        f"{args.topic_prefix}invoice.events",
        key=f"{args.tenant}/{args.id}",
        value=json.dumps(invoice),
        headers=headers(args.tenant, args.version),
        on_delivery=delivered,
    )
    if producer.flush(30) > 0 or failures:
        print(f"publish invoice.paid failed: {failures or 'timed out'}", file=sys.stderr)
        return 1
    print(f"published invoice.paid {args.tenant}/{args.id} v{args.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
