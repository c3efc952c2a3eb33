"""A client generated from the OpenAPI document (openapi-python-client) opens, moves and refunds
a case: the document is complete enough to work from. Run by scripts/api-check with the base
URL and an agent's token: python client_scenario.py BASE TOKEN."""

import sys
import uuid

from aftersale_client import AuthenticatedClient
from aftersale_client.api.cases import create_case, get_case, transition_case
from aftersale_client.api.orders import create_order
from aftersale_client.api.refunds import list_case_refunds, refund_case
from aftersale_client.models import NewCaseInput, OrderInput, RefundInput, TransitionInput

base, token = sys.argv[1], sys.argv[2]
client = AuthenticatedClient(base_url=base, token=token)
number = f"GEN-{uuid.uuid4().hex[:10]}"

order = create_order.sync_detailed(client=client, body=OrderInput.from_dict({
    "order_number": number, "platform": "taobao", "placed_at": "2026-11-20 10:00",
    "customer": {"name": "韩梅梅", "phone": "13700137000"},
    "lines": [{"sku": "G-1", "product_name": "台灯", "quantity": 1, "unit_price_minor": 12900}],
}))
assert order.status_code == 201, (order.status_code, order.content)

case = create_case.sync(client=client, body=NewCaseInput.from_dict({
    "order_number": number, "kind": "refund_only", "reason_code": "no_reason",
    "description": "不想要了", "lines": [{"line_number": 1}],
}))
assert case is not None and case.status == "submitted", case

moved = transition_case.sync(case.id, client=client, body=TransitionInput.from_dict(
    {"action": "approve", "version": case.version}))
assert moved is not None and moved.status == "approved", moved

key = f"refund-{number}"
refund = refund_case.sync_detailed(case.id, client=client, idempotency_key=key,
                                   body=RefundInput.from_dict({}))
assert refund.status_code == 201, (refund.status_code, refund.content)
again = refund_case.sync_detailed(case.id, client=client, idempotency_key=key,
                                  body=RefundInput.from_dict({}))
# The same key again: the stored answer, marked as replayed; nothing is paid twice.
assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true", again
assert again.parsed.id == refund.parsed.id
page = list_case_refunds.sync(case.id, client=client)
refunds = page.items
assert len(refunds) == 1 and refunds[0].amount_minor == 12900 and not page.next_cursor, page
final = get_case.sync(case.id, client=client)
print(f"generated client: case {final.number} {final.status}, refunded {refunds[0].amount_minor}")
