{#- An order's life runs forward: placed <= paid <= shipped <= delivered <= returned, and a
    cancellation comes after the placement and never after a shipment. -#}
select
    order_id,
    placed_at,
    paid_at,
    shipped_at,
    delivered_at,
    returned_at,
    cancelled_at
from {{ ref('fct_orders') }}
where
    paid_at < placed_at
    or shipped_at < coalesce(paid_at, placed_at)
    or delivered_at < shipped_at
    or returned_at < delivered_at
    or (returned_at is not null and delivered_at is null)
    or cancelled_at < placed_at
    or (cancelled_at is not null and shipped_at is not null)
