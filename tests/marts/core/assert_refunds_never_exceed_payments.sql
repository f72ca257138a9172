{#- No order is refunded more than it was charged. -#}
with

payments as (

    select * from {{ ref('fct_payments') }}
    where is_succeeded

),

per_order as (

    select
        order_id,
        sum(case when payment_type = 'charge' then amount else 0 end) as charged_amount,
        sum(case when payment_type = 'refund' then amount else 0 end) as refunded_amount
    from payments
    group by 1

)

select *
from per_order
where refunded_amount > charged_amount
