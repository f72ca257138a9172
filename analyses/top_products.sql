{#-
    The 20 best-selling products by revenue over the last 90 days of orders (up to the newest
    order date in the marts), with units, orders, their category and brand as sold, their
    rank within their category and their share of the category's revenue. Cancelled orders
    are left out.
-#}
with

order_items as (

    select * from {{ ref('obt_order_items') }}

),

period as (

    select
        max(order_date) as last_order_date,
        {{ dbt.dateadd('day', -89, 'max(order_date)') }} as first_order_date
    from order_items

),

recent_lines as (

    select order_items.*
    from order_items
    cross join period
    where
        not order_items.is_cancelled
        and order_items.order_date between cast(period.first_order_date as date) and period.last_order_date

),

by_product as (

    select
        product_id,
        product_category_name as category_name,
        max(product_name) as product_name,
        max(product_brand_code) as brand_code,
        count(distinct order_id) as order_count,
        sum(quantity) as units_sold,
        sum(line_amount_usd) as item_revenue_usd
    from recent_lines
    group by 1, 2

),

ranked as (

    select
        *,
        row_number() over (order by item_revenue_usd desc, product_id asc) as revenue_rank,
        row_number() over (
            partition by category_name order by item_revenue_usd desc, product_id asc
        ) as rank_in_category,
        item_revenue_usd
        / sum(item_revenue_usd) over (partition by category_name) as share_of_category_revenue
    from by_product

)

select
    revenue_rank,
    product_id,
    product_name,
    category_name,
    brand_code,
    order_count,
    units_sold,
    item_revenue_usd,
    rank_in_category,
    share_of_category_revenue
from ranked
where revenue_rank <= 20
order by 1
